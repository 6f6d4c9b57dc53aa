/**
 * Express adapter: `imCallbacks(sdkAppId, options?)` is a middleware carrying `on/onAny/onError`.
 * A thin translation: claim the request, hand query and body to the core receiver, write its answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  attachHandlers,
  type CallbackHandlers,
  type CallbackReceiver,
  checkPathOption,
  claimsRequest,
  createReceiver,
  nodeBodySource,
  pathOf,
  queryOf,
  type ReceiverOptions,
  type SdkAppIdOption,
  writeNodeResponse,
} from '@im-callbacks/core';

export * from '@im-callbacks/core';

export interface ExpressOptions extends Omit<ReceiverOptions, 'sdkAppId'> {
  /**
   * Claim only requests to this path (relative to where the middleware is mounted). Without it,
   * every POST whose query carries `CallbackCommand` is claimed.
   */
  path?: string;
}

/** The request as Express (4 or 5) leaves it: a Node request, maybe with a body parser's results. */
export type ExpressRequest = IncomingMessage & { body?: unknown; rawBody?: unknown; route?: unknown; baseUrl?: string };
type Next = (error?: unknown) => void;

export interface ImCallbacksMiddleware extends CallbackHandlers<ImCallbacksMiddleware> {
  (req: ExpressRequest, res: ServerResponse, next: Next): void;
  readonly receiver: CallbackReceiver;
}

export function imCallbacks(sdkAppId: SdkAppIdOption, options: ExpressOptions = {}): ImCallbacksMiddleware {
  if (typeof options !== 'object' || options === null) throw new TypeError('im-callbacks: options must be an object');
  const { path: pathOption, ...receiverOptions } = options;
  const path = checkPathOption('path', pathOption);
  const receiver = createReceiver({ ...receiverOptions, sdkAppId });

  const middleware = (req: ExpressRequest, res: ServerResponse, next: Next): void => {
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
  return attachHandlers<ImCallbacksMiddleware>(middleware, receiver);
}
