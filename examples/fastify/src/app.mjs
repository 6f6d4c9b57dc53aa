// A small real Fastify app: logs each typed event and moderates group messages before they are sent.
// (The moderation policy and the log lines are shared by every example: examples/shared.)

import { registerHandlers } from '@im-callbacks/example-shared';
import { imCallbacks, imCallbacksRequestSerializer } from '@im-callbacks/fastify';
import Fastify from 'fastify';

/**
 * The app, and the receiver behind its callback route (tests run its handlers in-process:
 * `invoke(receiver, ...)`). `logger: true` turns Fastify's logger on, with the request serializer
 * that keeps the `Sign` query parameter out of the log lines.
 */
export async function createApp({ sdkAppId, token, log = console.log, logger = false }) {
  const app = Fastify({ logger: logger && { serializers: { req: imCallbacksRequestSerializer } } });
  // The plugin owns its route and reads the body itself; the app's JSON parsing is untouched.
  await app.register(imCallbacks, { sdkAppId, token, path: '/im/callback' });
  registerHandlers(app.imCallbacks, log);
  app.get('/healthz', async () => ({ ok: true }));
  return { app, receiver: app.imCallbacks.receiver };
}

/** Starts the app on `port` (0: any free port); resolves once it listens with its URL, `close` and the receiver. */
export async function start({ port = 0, host = '127.0.0.1', ...options }) {
  const { app, receiver } = await createApp(options);
  await app.listen({ port, host });
  const { port: actual } = app.server.address();
  return { url: `http://${host}:${actual}/im/callback`, close: () => app.close(), receiver };
}
