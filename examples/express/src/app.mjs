// A small real Express app: logs each typed event and moderates group messages before they are sent
// (the policy and the log lines are shared by every example: examples/shared).

import { listen, registerHandlers } from '@im-callbacks/example-shared';
import { imCallbacks } from '@im-callbacks/express';
import express from 'express';

export function createApp({ sdkAppId, token, log = console.log }) {
  const app = express();
  const im = imCallbacks(sdkAppId, { token });

  registerHandlers(im, log);

  app.post('/im/callback', im);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

/** Starts the app on `port` (0: any free port) and resolves once it listens. */
export function start({ port = 0, host = '127.0.0.1', ...options }) {
  return listen(createApp(options), { port, host });
}
