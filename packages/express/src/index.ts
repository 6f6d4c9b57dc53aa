/**
 * Express adapter: `imCallbacks(sdkAppId, options?)` or `imCallbacks(receiver, options?)` is a
 * middleware carrying `on/onAny/onError/off`. A thin translation: claim the request, hand query and
 * body to the core receiver, write its answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackHandlers, CallbackReceiver, ReceiverOptions, SdkAppIdOption } from '@im-callbacks/core';
import {
  adapterReceiver,
  attachHandlers,
  checkPathOption,
  claimsRequest,
  nodeBodySource,
  pathOf,
  queryOf,
  writeNodeResponse,
} from '@im-callbacks/core/adapter';

export * from '@im-callbacks/core';

/** What the adapter itself takes, besides the receiver's options. */
export interface ExpressImCallbacksAdapterOptions {
  /**
   * Claim only requests to this path (relative to where the middleware is mounted). Without it,
   * every POST whose query has a `CallbackCommand` parameter is claimed.
   */
  path?: string;
}

/** `imCallbacks(sdkAppId, options)`: the receiver's options (but `sdkAppId`) and the adapter's. */
export interface ExpressImCallbacksOptions
  extends Omit<ReceiverOptions, 'sdkAppId'>,
    ExpressImCallbacksAdapterOptions {}

/** The request as Express (4 or 5) leaves it: a Node request, maybe with a body parser's results. */
export type ExpressImCallbacksRequest = IncomingMessage & {
  body?: unknown;
  rawBody?: unknown;
  route?: unknown;
  baseUrl?: string;
};
type Next = (error?: unknown) => void;

/** The middleware, with the receiver's registration methods. */
export interface ExpressImCallbacks extends CallbackHandlers<ExpressImCallbacks> {
  (req: ExpressImCallbacksRequest, res: ServerResponse, next: Next): void;
  readonly receiver: CallbackReceiver;
}

export function imCallbacks(sdkAppId: SdkAppIdOption, options?: ExpressImCallbacksOptions): ExpressImCallbacks;
export function imCallbacks(receiver: CallbackReceiver, options?: ExpressImCallbacksAdapterOptions): ExpressImCallbacks;
export function imCallbacks(
  target: SdkAppIdOption | CallbackReceiver,
  options?: ExpressImCallbacksOptions,
): ExpressImCallbacks {
  // Checked before the receiver exists, so a bad path costs no receiver (nor its start-up warning).
  const path = checkPathOption('path', (options as { path?: unknown } | null | undefined)?.path);
  const { receiver } = adapterReceiver(target, options, ['path']);

  const middleware = (req: ExpressImCallbacksRequest, res: ServerResponse, next: Next): void => {
    const query = queryOf(req.url);
    // Routed here explicitly: inside a route (`req.route`), or mounted exactly at `app.use(path, im)`.
    const routed = req.route !== undefined || (!!req.baseUrl && pathOf(req.url) === '/');
    if (!claimsRequest(req.method, pathOf(req.url), query, path, routed)) {
      next();
      return;
    }
    receiver
      .handle({
        query,
        body: () => nodeBodySource(req, { parsed: req.body, raw: req.rawBody }),
        contentLength: req.headers['content-length'],
      })
      .then((response) => writeNodeResponse(res, response, req))
      .catch(next);
  };
  return attachHandlers<ExpressImCallbacks>(middleware, receiver);
}
