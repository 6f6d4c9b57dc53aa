/**
 * Fastify plugin: `app.register(imCallbacks, { sdkAppId, path, token })`, or `{ receiver, path }`,
 * adds the callback route and decorates the app with `imCallbacks` (on/onAny/onError/off). A thin
 * translation: the route hands the raw query, the declared length and the body stream to the core
 * receiver's one entry (`receiver.handle`), which verifies the query before reading the body with
 * the core's body reader, and sends its answer.
 *
 * The route lives in its own encapsulated context whose only content-type parser takes any body
 * (any Content-Type, or none) and hands its stream on unread, the way Fastify's own proxy plugins
 * do: the app's parsers for its other routes are left exactly as they were, and the body is read
 * only once the query is verified. The stream is the one the app's `preParsing` hooks returned,
 * so a hook that decompresses still applies.
 *
 * `app.close()` drains the receiver (`receiver.close()`) in a `preClose` hook: before the server
 * stops listening, so a callback that arrives meanwhile is answered 503 (Fastify's own while it
 * closes, or core's `SHUTTING_DOWN` with `return503OnClosing: false`), never refused a connection.
 */
import type {
  AnyCallbackHandler,
  CallbackHandler,
  CallbackHandlers,
  CallbackReceiver,
  CommandName,
  ErrorHandler,
  ReceiverOptions,
} from '@im-callbacks/core';
import { DEFAULT_CLOSE_TIMEOUT, MalformedRequestError, redactSign } from '@im-callbacks/core';
import {
  adapterReceiver,
  attachHandlers,
  type BodySource,
  checkPathOption,
  closeAfterAnswer,
  queryOf,
} from '@im-callbacks/core/adapter';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export * from '@im-callbacks/core';

/** What the plugin itself takes, besides the receiver or the receiver's options. */
export interface FastifyImCallbacksAdapterOptions {
  /** The route's path, e.g. `/im/callback` (under the prefix of the context the plugin is registered in). */
  path: string;
  /** A route prefix for the callback route, added to the registering context's own prefix. */
  prefix?: string;
  /**
   * How long `app.close()` waits for the receiver's work in flight (`receiver.close({ timeout })`);
   * default 10,000 ms, or 1 s less than the app's `pluginTimeout` when that is shorter (Fastify
   * fails a close hook that outlasts it). `false`: `app.close()` leaves the receiver open (one
   * shared with a worker).
   */
  closeTimeout?: number | false;
}

/** `{ sdkAppId, path, ...receiver options }` or `{ receiver, path }`. */
export type FastifyImCallbacksOptions = FastifyImCallbacksAdapterOptions &
  (ReceiverOptions | { receiver: CallbackReceiver });

declare module 'fastify' {
  interface FastifyInstance {
    /** The callback route's registration methods (`@im-callbacks/fastify`). */
    imCallbacks: FastifyImCallbacks;
  }
  /**
   * `app.imCallbacks`. Declared inside Fastify's module, and with methods only, so that the ESM and
   * the CJS declarations of this package merge into one type when a program loads both.
   */
  interface FastifyImCallbacks {
    on<C extends CommandName>(command: C | readonly C[], handler: CallbackHandler<C>): FastifyImCallbacks;
    onAny(handler: AnyCallbackHandler): FastifyImCallbacks;
    onError(handler: ErrorHandler): FastifyImCallbacks;
    off(handler: (...args: never[]) => unknown, commands?: CommandName | readonly CommandName[]): FastifyImCallbacks;
  }
}

/** The decoration at runtime: the registration methods and the receiver behind the route. */
type Decorator = CallbackHandlers<Decorator> & { readonly receiver: CallbackReceiver };

/** Hands the body stream on unread: the receiver reads it once the query is verified. */
function passStream(
  _request: FastifyRequest,
  payload: NodeJS.ReadableStream,
  done: (error: null, body: unknown) => void,
) {
  done(null, payload);
}

/** Fastify's own registration options, which reach a plugin's options too. */
const FASTIFY_KEYS = ['prefix', 'logLevel', 'logSerializers'] as const;

const plugin: FastifyPluginAsync<FastifyImCallbacksOptions> = async (fastify, options) => {
  const { receiver: given, ...rest } = (options ?? {}) as Partial<{ receiver: CallbackReceiver }> & object;
  const target = given ?? (rest as { sdkAppId?: unknown }).sdkAppId;
  const { sdkAppId: _sdkAppId, ...withoutApp } = rest as Record<string, unknown>;
  // Fastify's logger unless one is given: the app's for start-up, each request's own for its lines.
  const logger = (rest as ReceiverOptions).logger;
  const { receiver, own } = adapterReceiver(
    target as ReceiverOptions['sdkAppId'],
    given === undefined ? withoutApp : rest,
    ['path', 'closeTimeout', ...FASTIFY_KEYS],
    { logger: fastify.log },
  );
  const path = checkPathOption('path', own.path, true) as string;
  checkPathOption('prefix', own.prefix);
  // Own, not inherited: a child context may have its own registration (and its own decoration).
  if (Object.hasOwn(fastify, 'imCallbacks')) {
    if (given === undefined) {
      throw new Error(
        'im-callbacks: the plugin is already registered in this context, and app.imCallbacks belongs to the first registration. ' +
          'To serve another path or app, create its receiver with createReceiver() and register { receiver, path }.',
      );
    }
  } else {
    fastify.decorate('imCallbacks', attachHandlers<Decorator>({}, receiver));
  }
  const requestLogger = given === undefined && logger === undefined;
  const closeTimeout = own.closeTimeout as number | false | undefined;
  if (
    closeTimeout !== undefined &&
    closeTimeout !== false &&
    (typeof closeTimeout !== 'number' || !(closeTimeout >= 0))
  )
    throw new TypeError('im-callbacks: closeTimeout must be a number of milliseconds >= 0, or false');
  if (closeTimeout !== false) {
    const pluginTimeout = (fastify.initialConfig as { pluginTimeout?: number }).pluginTimeout ?? 0;
    const timeout =
      closeTimeout ??
      (pluginTimeout > 0 ? Math.max(0, Math.min(DEFAULT_CLOSE_TIMEOUT, pluginTimeout - 1_000)) : DEFAULT_CLOSE_TIMEOUT);
    // Before the server closes: callbacks still arriving are answered 503 while the work drains.
    fastify.addHook('preClose', async () => {
      await receiver.close({ timeout });
    });
  }

  const route = async (child: FastifyInstance): Promise<void> => {
    // Only in this child context: every content type (and none) is handed on as a stream. Under the
    // JSON media type too, which Fastify finds in its parser cache; the catch-all alone would cost
    // every request a Content-Type parse and a failed lookup.
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('application/json', passStream);
    child.addContentTypeParser('*', passStream);
    const handle = (request: FastifyRequest, reply: FastifyReply, body: () => BodySource) =>
      receiver
        .handle({
          query: queryOf(request.raw.url),
          body,
          contentLength: request.headers['content-length'],
          logger: requestLogger ? request.log : undefined,
        })
        .then((response) => {
          // Answered before the body was read to its end (401, 403, 408, 413): stop reading, then close.
          if (closeAfterAnswer(request.raw)) reply.header('connection', 'close');
          return reply.code(response.status).headers(response.headers).send(response.body);
        });
    // Anything that failed on the way to the handler (an app's preParsing hook) is a body that could
    // not be read, answered through the same entry: a forged request still gets its 401 first.
    child.setErrorHandler((error, request, reply) =>
      handle(request, reply, () => {
        throw new MalformedRequestError('BODY_READ_FAILED', 'request body could not be read', { cause: error });
      }),
    );
    child.route({
      method: 'POST',
      url: path,
      // What the route reports as its limit (`request.routeOptions.bodyLimit`); the receiver enforces it.
      bodyLimit: Math.floor(receiver.options.bodyLimit),
      // A request without a body is handed over without a parser: its (ended) request stream is read.
      handler: (request, reply) => handle(request, reply, () => (request.body ?? request.raw) as BodySource),
    });
  };
  await fastify.register(route, own.prefix === undefined ? {} : { prefix: own.prefix as string });
};

/** The plugin, wrapped with fastify-plugin so `app.imCallbacks` is visible where it was registered. */
export const imCallbacks = fp(plugin, { name: '@im-callbacks/fastify', fastify: '4.x || 5.x' });
export default imCallbacks;

/** Re-exported for `declare module` users: the type of `app.imCallbacks`. */
export type { FastifyImCallbacks } from 'fastify';

/**
 * Fastify's request serializer with the `Sign` query parameter redacted: pass it as
 * `Fastify({ logger: { serializers: { req: imCallbacksRequestSerializer } } })` so no log line
 * carries a Sign.
 */
export function imCallbacksRequestSerializer(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactSign(request.url),
    host: request.host ?? request.hostname,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
