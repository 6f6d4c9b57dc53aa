/**
 * Express adapter: `imCallbacks(sdkAppId, options?)` is a middleware carrying `on/onAny/onError`.
 * A thin translation: claim the request, hand query and body to the core receiver, write its answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  attachHandlers,
  type CallbackHandlers,
  type CallbackReceiver,
  createReceiver,
  hasCallbackCommand,
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
  const { path, ...receiverOptions } = options;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError(`im-callbacks: option path must start with '/', got ${JSON.stringify(path)}`);
  }
  const receiver = createReceiver({ ...receiverOptions, sdkAppId });

  /**
   * Claimed: POSTs to `path` when given; else POSTs whose query names a CallbackCommand, and every
   * POST to a route the app mounted us on explicitly (`app.post(path, im)`, `app.use(path, im)`),
   * so that a callback without a command there gets its 400 instead of the app's 404.
   */
  const claims = (req: ExpressRequest, query: string): boolean => {
    if (req.method !== 'POST') return false;
    const at = pathOf(req.url);
    if (path !== undefined) return at === path;
    return hasCallbackCommand(query) || req.route !== undefined || (!!req.baseUrl && at === '/');
  };

  const middleware = (req: ExpressRequest, res: ServerResponse, next: Next): void => {
    const query = queryOf(req.url);
    if (!claims(req, query)) {
      next();
      return;
    }
    receiver
      .handle({
        query,
        body: () => nodeBodySource(req, { parsed: req.body, raw: req.rawBody }),
        contentLength: req.headers['content-length'],
      })
      .then((response) => writeNodeResponse(res, response))
      .catch(next);
  };
  return attachHandlers<ImCallbacksMiddleware>(middleware, receiver);
}
