/**
 * Fastify plugin: `app.register(imCallbacks, { sdkAppId, path, token })` adds the callback route and
 * decorates the app with `imCallbacks` (on/onAny/onError). A thin translation: the route hands the
 * raw query and the unread request stream to the core receiver and sends its answer.
 *
 * The route lives in its own encapsulated context whose only content-type parser passes the body
 * stream through untouched, so callbacks with any Content-Type (or none) reach it, the core enforces
 * its own body limit, and the app's parsers for its other routes are left exactly as they were.
 */
import {
  type AnyCallbackHandler,
  attachHandlers,
  type CallbackHandler,
  type CallbackHandlers,
  type CallbackReceiver,
  type CommandName,
  checkPathOption,
  closeAfterAnswer,
  createReceiver,
  type ErrorHandler,
  nodeBodySource,
  queryOf,
  type ReceiverOptions,
} from '@im-callbacks/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export * from '@im-callbacks/core';

/** Handlers given with the options, one or several per command. */
export type CommandHandlers = { [C in CommandName]?: CallbackHandler<C> | readonly CallbackHandler<C>[] };

export interface FastifyImCallbacksOptions extends ReceiverOptions {
  /** The route's path, e.g. `/im/callback` (under the prefix of the context the plugin is registered in). */
  path: string;
  /** Handlers per command, as with `app.imCallbacks.on`. */
  handlers?: CommandHandlers;
  onAny?: AnyCallbackHandler;
  onError?: ErrorHandler;
  /** A route prefix for the callback route, added to the registering context's own prefix. */
  prefix?: string;
}

/** `app.imCallbacks`: register handlers; `receiver` is the core receiver behind the route. */
export interface ImCallbacksDecorator extends CallbackHandlers<ImCallbacksDecorator> {
  readonly receiver: CallbackReceiver;
}

declare module 'fastify' {
  interface FastifyInstance {
    imCallbacks: ImCallbacksDecorator;
  }
}

const plugin: FastifyPluginAsync<FastifyImCallbacksOptions> = async (fastify, options) => {
  if (typeof options !== 'object' || options === null) throw new TypeError('im-callbacks: options must be an object');
  const { path, handlers, onAny, onError, prefix, logger, ...receiverOptions } = options;
  checkPathOption('path', path, true);
  checkPathOption('prefix', prefix);
  // Fastify's logger unless one is given: the app's for start-up, each request's own for its lines.
  const receiver = createReceiver({ ...receiverOptions, logger: logger ?? fastify.log });
  const decorator = attachHandlers<ImCallbacksDecorator>({}, receiver);
  for (const command of Object.keys(handlers ?? {}) as CommandName[]) {
    const list = (handlers as Record<string, unknown>)[command];
    for (const handler of Array.isArray(list) ? list : [list])
      decorator.on(command, handler as CallbackHandler<typeof command>);
  }
  if (onAny !== undefined) decorator.onAny(onAny);
  if (onError !== undefined) decorator.onError(onError);
  fastify.decorate('imCallbacks', decorator);

  const route = async (child: FastifyInstance): Promise<void> => {
    // Only in this child context: every content type (and none) yields the unread stream.
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    child.route({
      method: 'POST',
      url: path,
      // Fastify does not read the body here; the core enforces `bodyLimit` as it reads.
      bodyLimit: receiver.options.bodyLimit,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const response = await receiver.handle({
          query: queryOf(request.raw.url),
          body: () => nodeBodySource(request.raw),
          contentLength: request.headers['content-length'],
          // Fastify's request logger (with the request id) unless the app gave its own.
          logger: logger === undefined ? request.log : undefined,
        });
        // Answered before the body was read to its end (401, 403, 408, 413): stop reading, send
        // the answer, then close, rather than drain the body or reset a client still sending.
        if (closeAfterAnswer(request.raw)) reply.header('connection', 'close');
        return reply.code(response.status).headers(response.headers).send(response.body);
      },
    });
  };
  await fastify.register(route, prefix === undefined ? {} : { prefix });
};

/** The plugin, wrapped with fastify-plugin so `app.imCallbacks` is visible where it was registered. */
export const imCallbacks = fp(plugin, { name: '@im-callbacks/fastify', fastify: '4.x || 5.x' });
export default imCallbacks;
