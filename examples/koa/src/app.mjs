// A small real Koa app: logs each typed event and moderates group messages before they are sent.
// (The moderation policy and the log lines are shared by every example: examples/shared.)

import { listen, registerHandlers } from '@im-callbacks/example-shared';
import { imCallbacks } from '@im-callbacks/koa';
import Router from '@koa/router';
import Koa from 'koa';

/** The app, and the receiver behind its callback route (tests run its handlers in-process: `invoke(receiver, ...)`). */
export function createApp({ sdkAppId, token, log = console.log }) {
  const app = new Koa();
  const im = imCallbacks(sdkAppId, { token });
  registerHandlers(im, log);

  const router = new Router();
  router.post('/im/callback', im);
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });
  app.use(router.routes()).use(router.allowedMethods());
  return { app, receiver: im.receiver };
}

/** Starts the app on `port` (0: any free port); resolves once it listens with its URL, `close` and the receiver. */
export async function start({ port = 0, host = '127.0.0.1', ...options }) {
  const { app, receiver } = createApp(options);
  return { ...(await listen(app.callback(), { port, host })), receiver };
}
