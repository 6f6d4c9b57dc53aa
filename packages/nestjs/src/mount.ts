/**
 * Owns serving the receiver on the Nest app's HTTP server, ahead of everything Nest puts on a route:
 * no guard, interceptor, pipe, exception filter or Nest body parser sees a callback, because the
 * callback route is not a Nest route.
 *
 * - Express platform: the Express app's `handle` is wrapped, so the `@im-callbacks/express`
 *   middleware sees each request before Express's own stack (Nest's body parser, middleware and
 *   router) and passes on every request it does not claim. It works where the app's Express
 *   instance is called directly too (serverless handlers, `supertest(app.getHttpAdapter().getInstance())`).
 * - Fastify platform: the `@im-callbacks/fastify` plugin, registered in an encapsulated context of
 *   its own, so its content-type parser and ours never meet Nest's parsers (or `rawBody`).
 *
 * Shutdown is the receiver's own (`receiver.close()`, called by the service): once it is closing,
 * every callback is answered 503 `SHUTTING_DOWN` by core, on both platforms.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackReceiver } from '@im-callbacks/core';

/** The part of Nest's `AbstractHttpAdapter` used here. */
export interface HttpAdapterLike {
  getType(): string;
  getInstance(): unknown;
}

type Next = (error?: unknown) => void;
type ExpressHandle = (req: IncomingMessage, res: ServerResponse, callback?: Next) => void;

/** Serves `receiver` at `path` on the app's HTTP platform. */
export async function mountReceiver(adapter: HttpAdapterLike, receiver: CallbackReceiver, path: string) {
  const type = adapter.getType();
  if (type === 'express') return mountExpress(adapter.getInstance() as { handle: ExpressHandle }, receiver, path);
  if (type === 'fastify') return mountFastify(adapter.getInstance(), receiver, path);
  throw new Error(
    `im-callbacks: ImCallbacksModule serves callbacks on the Express and Fastify platforms, not on "${type}"; set mount: false and serve the receiver (@InjectImReceiver()) yourself`,
  );
}

async function load<T>(name: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    throw new Error(`im-callbacks: this Nest platform needs ${name}: npm install ${name}`, { cause: error });
  }
}

async function mountExpress(app: { handle: ExpressHandle }, receiver: CallbackReceiver, path: string) {
  const { imCallbacks } = await load('@im-callbacks/express', () => import('@im-callbacks/express'));
  const middleware = imCallbacks(receiver, { path });
  const handle = app.handle;
  if (typeof handle !== 'function') throw new Error('im-callbacks: the Express instance has no handle method');
  app.handle = function imCallbacksHandle(this: unknown, req, res, callback) {
    const pass = () => handle.call(this, req, res, callback);
    middleware(req, res, (error?: unknown) => {
      if (error === undefined) pass();
      // Only writing the answer can fail here (the receiver never rejects): the socket is all that is left.
      else res.destroy(error instanceof Error ? error : undefined);
    });
  };
}

interface FastifyScope {
  register(plugin: unknown, options?: unknown): PromiseLike<unknown>;
}

async function mountFastify(app: unknown, receiver: CallbackReceiver, path: string) {
  const { imCallbacks } = await load('@im-callbacks/fastify', () => import('@im-callbacks/fastify'));
  // An encapsulated context: the plugin's route and parser stay inside it. The service drains the
  // receiver (with the module's closeTimeout) before Nest closes Fastify, so the plugin's own
  // preClose drain finds it done.
  await (app as FastifyScope).register(async (scope: FastifyScope) => {
    await scope.register(imCallbacks, { receiver, path });
  });
}
