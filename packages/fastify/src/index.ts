/**
 * Fastify plugin: `app.register(imCallbacks, { sdkAppId, path, token })`, or `{ receiver, path }`,
 * adds the callback route and decorates the app with `imCallbacks` (on/onAny/onError/off). A thin
 * translation: the route hands the raw query and the body Fastify read to the core receiver and
 * sends its answer.
 *
 * The route lives in its own encapsulated context whose only content-type parser reads any body
 * (any Content-Type, or none) to text within the receiver's limit and time (`read-body.ts`), so the
 * app's parsers for its other routes are left exactly as they were. That parser verifies the query
 * (`receiver.admit`) before a byte of the body is read; the text then goes to the core's synchronous
 * path (`receiver.respond`), so a callback whose handlers return synchronously is answered without a
 * promise. The route has no hooks of its own.
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
import {
  type AdmittedRequest,
  BodyTimeoutError,
  BodyTooLargeError,
  type CallbackResponse,
  ImCallbackError,
  MalformedRequestError,
  redactSign,
} from '@im-callbacks/core';
import {
  adapterReceiver,
  attachHandlers,
  checkPathOption,
  closeAfterAnswer,
  queryOf,
} from '@im-callbacks/core/adapter';
import type {
  FastifyError,
  FastifyImCallbacks,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import fp from 'fastify-plugin';
import { BodyReader, type BodyStream, type ParserDone, type ReadFailure } from './read-body.js';

export * from '@im-callbacks/core';

/** What the plugin itself takes, besides the receiver or the receiver's options. */
export interface FastifyImCallbacksAdapterOptions {
  /** The route's path, e.g. `/im/callback` (under the prefix of the context the plugin is registered in). */
  path: string;
  /** A route prefix for the callback route, added to the registering context's own prefix. */
  prefix?: string;
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

const ADMITTED = Symbol('im-callbacks admitted');
const REFUSAL = Symbol('im-callbacks refusal');
type Admitted = FastifyRequest & {
  [ADMITTED]?: AdmittedRequest;
  [REFUSAL]?: CallbackResponse;
};
/** What the parser hands Fastify for a request `admit` refused: the error handler sends the refusal. */
const REFUSED = Object.assign(new Error('im-callbacks: request refused before its body was read'), {
  code: 'IM_CALLBACKS_REFUSED',
});

type Context = { command: string | undefined; requestId: string | undefined };

/** What the admitted query says of a request, for an error raised while its body is read. */
function contextOf(request: FastifyRequest): Context {
  const admitted = (request as Admitted)[ADMITTED];
  return { command: admitted?.query.callbackcommand, requestId: admitted?.query.requestid };
}

/** Why the route's parser could not read a body, as the receiver's refusal. */
function readRefusal(failure: ReadFailure, context: Context, bodyLimit: number, bodyTimeout: number): ImCallbackError {
  if (failure === 'too-large') return new BodyTooLargeError(bodyLimit, context);
  if (failure === 'timeout') return new BodyTimeoutError(bodyTimeout, context);
  if (failure === 'length-mismatch') {
    return new MalformedRequestError(
      'BODY_READ_FAILED',
      'request body length differs from its Content-Length',
      context,
    );
  }
  return new MalformedRequestError('BODY_READ_FAILED', 'request body could not be read', {
    ...context,
    cause: failure.cause,
  });
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
    ['path', ...FASTIFY_KEYS],
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

  const { bodyLimit, bodyTimeout } = receiver.options;
  const requestLog = (request: FastifyRequest) => (requestLogger ? request.log : undefined);
  /** Sends an answer; one sent before the body was read to its end also closes the connection. */
  const answer = (request: FastifyRequest, reply: FastifyReply, response: CallbackResponse): FastifyReply => {
    if (closeAfterAnswer(request.raw)) reply.header('connection', 'close');
    return reply.code(response.status).headers(response.headers).send(response.body);
  };

  // Bodies are read by our parser within the receiver's limit and time (a body still unread after
  // `bodyTimeout` ms: 408, and the connection is closed).
  const limit = Math.floor(bodyLimit);
  const reader = new BodyReader<FastifyRequest>(limit, bodyTimeout, (read, failure, text) => {
    if (failure === undefined) read.done(null, text);
    else read.done(readRefusal(failure, contextOf(read.request), bodyLimit, bodyTimeout));
  });
  const route = async (child: FastifyInstance): Promise<void> => {
    // Only in this child context: every content type (and none) is read by our own parser into text,
    // within the receiver's limit, and handed to the core's in-memory path.
    child.removeAllContentTypeParsers();
    // Before a byte of the body is read: the query is verified and the declared size checked, so a
    // refusal (401, 403, 413) costs no body; then the body has `bodyTimeout` ms to arrive (408). Done
    // here rather than in an onRequest hook, which would cost every request a hook run.
    const parser = (request: FastifyRequest, payload: BodyStream, done: ParserDone): void => {
      const result = receiver.admit({
        query: queryOf(request.raw.url),
        contentLength: request.headers['content-length'],
        logger: requestLog(request),
      });
      if (result.response !== undefined) {
        (request as Admitted)[REFUSAL] = result.response;
        done(REFUSED);
        return;
      }
      (request as Admitted)[ADMITTED] = result.admitted;
      reader.read(request, payload, request.headers['content-length'], done);
    };
    // The same parser under the JSON media type, which Fastify finds in its parser cache; the catch-all
    // alone would cost every request a Content-Type parse and a failed lookup.
    child.addContentTypeParser('application/json', parser);
    child.addContentTypeParser('*', parser);
    // Refusals while admitting or reading the body: answered and reported like the core's.
    child.setErrorHandler((error: FastifyError, request, reply) => {
      // Refused by `admit` in the parser: that answer, already reported.
      const refused = (request as Admitted)[REFUSAL];
      if (error === REFUSED && refused !== undefined) return answer(request, reply, refused);
      // Our parser's refusals as they are; anything else on the way (an app's preParsing hook that
      // failed) is a read failure. Fastify's own size check is not in play: it is part of the
      // `parseAs` reader, which this route does not use.
      const refusal =
        error instanceof ImCallbackError
          ? error
          : readRefusal({ cause: error }, contextOf(request), bodyLimit, bodyTimeout);
      return answer(request, reply, receiver.refuse(refusal, requestLog(request)));
    });
    child.route({
      method: 'POST',
      url: path,
      // What the route reports as its limit (`request.routeOptions.bodyLimit`); our reader enforces it.
      bodyLimit: limit,
      // No hooks (a route-level hook costs every request): the parser admits the request and clears
      // its body timer; a request without a body, which Fastify hands over without calling a parser,
      // is verified here.
      handler: (request: FastifyRequest, reply: FastifyReply) => {
        const admitted = (request as Admitted)[ADMITTED];
        const response = receiver.respond({
          admitted,
          // The query is read here only for a request the parser never saw (one without a body).
          query: admitted === undefined ? queryOf(request.raw.url) : '',
          // No body at all (Content-Length 0): the core answers it like any empty body.
          body: (request.body as string | undefined) ?? '',
          logger: requestLog(request),
        });
        // Synchronous handlers are answered here and now, without a promise.
        return response instanceof Promise
          ? response.then((answered) => answer(request, reply, answered))
          : answer(request, reply, response);
      },
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
