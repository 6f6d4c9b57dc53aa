// A small real Express app: logs each typed event and moderates group messages before they are sent
// (the policy and the log lines are shared by every example: examples/shared). With `inspector`
// (IM_INSPECTOR=1), the inspector page is mounted at /im/inspector (loopback clients only, unless
// IM_INSPECTOR_TOKEN is set).

import { listen, registerHandlers } from '@im-callbacks/example-shared';
import { imCallbacks } from '@im-callbacks/express';
import { createInspector } from '@im-callbacks/inspector';
import express from 'express';

/** The app, and the receiver behind its callback route (tests run its handlers in-process: `invoke(receiver, ...)`). */
export function createApp({
  sdkAppId,
  token,
  log = console.log,
  inspector: withInspector = process.env.IM_INSPECTOR === '1',
  inspectorToken = process.env.IM_INSPECTOR_TOKEN || undefined,
}) {
  const app = express();
  const im = imCallbacks(sdkAppId, { token });

  registerHandlers(im, log);

  const inspector = withInspector ? createInspector({ receiver: im, token: inspectorToken }) : undefined;
  if (inspector) app.use('/im/inspector', inspector.node);
  app.post('/im/callback', im);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return { app, receiver: im.receiver, inspector };
}

/**
 * Starts the app on `port` (0: any free port); resolves once it listens with its URL, `close`, the
 * receiver and, with the inspector, `inspectorUrl`.
 */
export async function start({ port = 0, host = '127.0.0.1', ...options }) {
  const { app, receiver, inspector } = createApp(options);
  const running = await listen(app, { port, host });
  if (!inspector) return { ...running, receiver };
  return {
    ...running,
    receiver,
    inspectorUrl: running.url.replace(/\/im\/callback$/, '/im/inspector/'),
    close: async () => {
      await inspector.close();
      await running.close();
    },
  };
}
