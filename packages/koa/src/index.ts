/**
 * Koa adapter: `imCallbacks(sdkAppId, options?)` or `imCallbacks(receiver, options?)` is a Koa
 * middleware carrying `on/onAny/onError/off`.
 * A thin translation: claim the request, hand query and body to the core receiver, set its answer
 * on the context. Works on `@koa/router` routes and with `app.use`, after any body parser or none.
 */
import type { IncomingMessage } from 'node:http';
import type { CallbackHandlers, CallbackReceiver, ReceiverOptions, SdkAppIdOption } from '@im-callbacks/core';
import {
  adapterReceiver,
  attachHandlers,
  checkPathOption,
  claimsRequest,
  closeAfterAnswer,
  nodeBodySource,
  queryOf,
} from '@im-callbacks/core/adapter';

export * from '@im-callbacks/core';

/** What the adapter itself takes, besides the receiver's options. */
export interface KoaImCallbacksAdapterOptions {
  /**
   * Claim only requests to this path (`ctx.path`, so relative to a `koa-mount` point). Without it,
   * every POST whose query has a `CallbackCommand` parameter is claimed; the rest go to `next()`.
   */
  path?: string;
}

/** `imCallbacks(sdkAppId, options)`: the receiver's options (but `sdkAppId`) and the adapter's. */
export interface KoaImCallbacksOptions extends Omit<ReceiverOptions, 'sdkAppId'>, KoaImCallbacksAdapterOptions {}

/**
 * The part of a Koa (2 or 3) context this middleware reads and writes. Structural, so the
 * middleware fits `app.use` and `router.post` without requiring `@types/koa`.
 */
export interface KoaImCallbacksContext {
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

/** The middleware, with the receiver's registration methods. */
export interface KoaImCallbacks extends CallbackHandlers<KoaImCallbacks> {
  (ctx: KoaImCallbacksContext, next: Next): Promise<void>;
  readonly receiver: CallbackReceiver;
}

/** Where koa-body keeps the unparsed text when run with `includeUnparsed: true`. */
const UNPARSED = Symbol.for('unparsedBody');

function rawBodyOf(request: KoaImCallbacksContext['request']): unknown {
  if (request.rawBody !== undefined) return request.rawBody;
  const body = request.body as Record<symbol, unknown> | null | undefined;
  return typeof body === 'object' && body !== null ? body[UNPARSED] : undefined;
}

type RouterLayer = { methods?: readonly string[]; stack?: readonly unknown[] };

/** Whether a @koa/router route (`router.post(path, im)`) sends this request to `middleware` on purpose. */
function routedTo(ctx: KoaImCallbacksContext, middleware: unknown): boolean {
  if (!Array.isArray(ctx.matched)) return false;
  return ctx.matched.some((layer: RouterLayer) => !!layer.methods?.length && !!layer.stack?.includes(middleware));
}

export function imCallbacks(sdkAppId: SdkAppIdOption, options?: KoaImCallbacksOptions): KoaImCallbacks;
export function imCallbacks(receiver: CallbackReceiver, options?: KoaImCallbacksAdapterOptions): KoaImCallbacks;
export function imCallbacks(
  target: SdkAppIdOption | CallbackReceiver,
  options?: KoaImCallbacksOptions,
): KoaImCallbacks {
  // Checked before the receiver exists, so a bad path costs no receiver (nor its start-up warning).
  const path = checkPathOption('path', (options as { path?: unknown } | null | undefined)?.path);
  const { receiver } = adapterReceiver(target, options, ['path']);

  const middleware = async (ctx: KoaImCallbacksContext, next: Next): Promise<void> => {
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
  return attachHandlers<KoaImCallbacks>(middleware, receiver);
}
