/**
 * Shared by the Node adapters (Express, Koa, Fastify): pick the body source from a Node request
 * and write the response. Framework-free: only `node:http` shapes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodySource } from './body.js';
import { BodyUnavailableError } from './errors.js';
import { hasCallbackCommand } from './query.js';
import type { CallbackResponse } from './reply.js';

/** What an upstream body parser may have left on the request. */
export interface UpstreamBody {
  /** The parsed body (`req.body`, `ctx.request.body`). */
  parsed?: unknown;
  /** The raw body text or bytes (`req.rawBody`, `ctx.request.rawBody`). */
  raw?: unknown;
}

/**
 * The body to read: the request stream when nobody consumed it (whatever `req.body` says: Express 4's
 * json parser sets `{}` without reading a request it does not parse), else the raw text an upstream
 * parser kept, else the value it parsed.
 */
export function nodeBodySource(req: IncomingMessage, upstream: UpstreamBody = {}): BodySource {
  const consumed = req.readableEnded || (req as { _body?: unknown })._body === true;
  if (!consumed) return req;
  const { raw, parsed } = upstream;
  if (typeof raw === 'string' || raw instanceof Uint8Array) return raw;
  if (parsed !== undefined && parsed !== null) return parsed as BodySource;
  if (req.headers['content-length'] === '0') return '';
  throw new BodyUnavailableError('request body was consumed by an upstream middleware that kept no copy of it');
}

/** The query part of a request URL (without `?`), or '' when there is none. */
export function queryOf(url: string | undefined): string {
  if (url === undefined) return '';
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/** The path part of a request URL. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

export function writeNodeResponse(res: ServerResponse, response: CallbackResponse): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name] as string);
  res.end(response.body);
}

/** Checks an adapter's path option (`path`, `prefix`): a string starting with `/`. */
export function checkPathOption(name: string, value: unknown, required = false): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new TypeError(
      `im-callbacks: option ${name} must be a string starting with '/', got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Which requests a middleware claims (pipeline step 1). With a configured `path`: every POST to
 * it. Without: POSTs whose query carries `CallbackCommand`, and every POST the app routed to the
 * middleware explicitly (`app.post(path, im)`, `router.post(path, im)`), so that a callback without
 * a command there gets its 400 rather than the app's 404. Everything else goes on to the app.
 */
export function claimsRequest(
  method: string | undefined,
  requestPath: string,
  query: string,
  path: string | undefined,
  routedHere: boolean,
): boolean {
  if (method !== 'POST') return false;
  if (path !== undefined) return requestPath === path;
  return routedHere || hasCallbackCommand(query);
}
