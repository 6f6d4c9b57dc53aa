/**
 * Koa adapter: `imCallbacks(sdkAppId, options?)` is a Koa middleware carrying `on/onAny/onError`.
 * A thin translation: claim the request, hand query and body to the core receiver, set its answer
 * on the context. Works on `@koa/router` routes and with `app.use`, after any body parser or none.
 */
import type { IncomingMessage } from 'node:http';
import {
  attachHandlers,
  type CallbackHandlers,
  type CallbackReceiver,
  checkPathOption,
  claimsRequest,
  closeAfterAnswer,
  createReceiver,
  nodeBodySource,
  queryOf,
  type ReceiverOptions,
  type SdkAppIdOption,
} from '@im-callbacks/core';

export * from '@im-callbacks/core';

export interface KoaOptions extends Omit<ReceiverOptions, 'sdkAppId'> {
  /**
   * Claim only requests to this path (`ctx.path`, so relative to a `koa-mount` point). Without it,
   * every POST whose query carries `CallbackCommand` is claimed; the rest go to `next()`.
   */
  path?: string;
}

/**
 * The part of a Koa (2 or 3) context this middleware reads and writes. Structural, so the
 * middleware fits `app.use` and `router.post` without requiring `@types/koa`.
 */
export interface KoaContextLike {
  req: IncomingMessage;
  method: string;
  path: string;
  /** What a body parser left: `body` (@koa/bodyparser, koa-bodyparser, koa-body) and `rawBody`. */
  request: { body?: unknown; rawBody?: unknown };
  /** The layers @koa/router matched (each with its `methods` and middleware `stack`). */
  matched?: unknown;
  status: number;
  body: unknown;
  get(field: string): string;
  set(field: string, value: string): void;
}
type Next = () => Promise<unknown>;

export interface ImCallbacksMiddleware extends CallbackHandlers<ImCallbacksMiddleware> {
  (ctx: KoaContextLike, next: Next): Promise<void>;
  readonly receiver: CallbackReceiver;
}

/** Where koa-body keeps the unparsed text when run with `includeUnparsed: true`. */
const UNPARSED = Symbol.for('unparsedBody');

function rawBodyOf(request: KoaContextLike['request']): unknown {
  if (request.rawBody !== undefined) return request.rawBody;
  const body = request.body as Record<symbol, unknown> | null | undefined;
  return typeof body === 'object' && body !== null ? body[UNPARSED] : undefined;
}

type RouterLayer = { methods?: readonly string[]; stack?: readonly unknown[] };

/** Whether a @koa/router route (`router.post(path, im)`) sends this request to `middleware` on purpose. */
function routedTo(ctx: KoaContextLike, middleware: unknown): boolean {
  if (!Array.isArray(ctx.matched)) return false;
  return ctx.matched.some((layer: RouterLayer) => !!layer.methods?.length && !!layer.stack?.includes(middleware));
}

export function imCallbacks(sdkAppId: SdkAppIdOption, options: KoaOptions = {}): ImCallbacksMiddleware {
  if (typeof options !== 'object' || options === null) throw new TypeError('im-callbacks: options must be an object');
  const { path: pathOption, ...receiverOptions } = options;
  const path = checkPathOption('path', pathOption);
  const receiver = createReceiver({ ...receiverOptions, sdkAppId });

  const middleware = async (ctx: KoaContextLike, next: Next): Promise<void> => {
    const query = queryOf(ctx.req.url);
    if (!claimsRequest(ctx.method, ctx.path, query, path, routedTo(ctx, middleware))) {
      await next();
      return;
    }
    const response = await receiver.handle({
      query,
      body: () => nodeBodySource(ctx.req, { parsed: ctx.request.body, raw: rawBodyOf(ctx.request) }),
      contentLength: ctx.get('content-length') || undefined,
    });
    ctx.status = response.status;
    for (const name in response.headers) ctx.set(name, response.headers[name] as string);
    // Answered before the body was read to its end (401, 403, 408, 413): stop reading, then close.
    if (closeAfterAnswer(ctx.req)) ctx.set('connection', 'close');
    // Set after the Content-Type header, so Koa keeps it instead of guessing text/plain.
    ctx.body = response.body;
  };
  return attachHandlers<ImCallbacksMiddleware>(middleware, receiver);
}
