// A small real Express app: logs each typed event and moderates group messages before they are sent
// (the policy and the log lines are shared by every example: examples/shared).

import { listen, registerHandlers } from '@im-callbacks/example-shared';
import { imCallbacks } from '@im-callbacks/express';
import express from 'express';

/** The app, and the receiver behind its callback route (tests run its handlers in-process: `invoke(receiver, ...)`). */
export function createApp({ sdkAppId, token, log = console.log }) {
  const app = express();
  const im = imCallbacks(sdkAppId, { token });

  registerHandlers(im, log);

  app.post('/im/callback', im);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return { app, receiver: im.receiver };
}

/** Starts the app on `port` (0: any free port); resolves once it listens with its URL, `close` and the receiver. */
export async function start({ port = 0, host = '127.0.0.1', ...options }) {
  const { app, receiver } = createApp(options);
  return { ...(await listen(app, { port, host })), receiver };
}
