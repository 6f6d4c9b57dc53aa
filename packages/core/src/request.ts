/** Owns what callers hand the receiver: an adapter's request for `handle`, a worker's context for `dispatch`. */
import type { Logger } from './logger.js';
import type { BodySource } from './pipeline/body.js';
import type { QueryInput } from './pipeline/query.js';

/**
 * What an adapter hands to `handle` as soon as a request's headers are in: the query, the declared
 * length and the body, which is asked for only once the query is verified (so a refused request
 * costs no body).
 */
export interface CallbackRequest {
  /** The HTTP method, when the adapter has not checked it (the fetch handler): anything but POST is 405. */
  method?: string | undefined;
  /** The query string (raw, `URLSearchParams`, or a framework's parsed object). */
  query: QueryInput;
  /** The body, or a function returning it: called only once the query is verified. */
  body: BodySource | (() => BodySource);
  /** The `Content-Length` header, to refuse an oversized body before reading it. */
  contentLength?: number | string | undefined;
  /** A logger for this request only (Fastify's request logger); default the receiver's. */
  logger?: Logger | undefined;
  /**
   * A host's `waitUntil` (Vercel, Next.js `after`, Cloudflare's `ctx.waitUntil`, Netlify): given the
   * promise of every piece of work that outlives the answer (late handlers, handoffs, de-dup
   * writes), so a host that freezes the function once the response is sent keeps it running. The
   * promises never reject.
   */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
}

/** What `receiver.fetch` takes besides the request. */
export interface FetchOptions {
  /** See `CallbackRequest.waitUntil`. */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
}

/** What `receiver.close` takes. */
export interface CloseOptions {
  /**
   * Milliseconds to wait for the work in flight before giving up on it (`ABANDONED`); default
   * 10,000, which leaves a typical 30 s termination grace room for the server and the rest of the app.
   */
  timeout?: number;
}

/** What `dispatch` knows of a callback besides its payload; everything optional. */
export interface DispatchContext {
  /** One of the receiver's SDKAppIDs; default the first configured. */
  sdkAppId?: number | string;
  clientIp?: string;
  optPlatform?: string;
  requestTime?: number;
  requestId?: string;
  /** The query parameters the callback came with, by original name. */
  query?: Readonly<Record<string, string>>;
  logger?: Logger;
  /**
   * Wait for every handler, with no deadline, and answer 500 when one failed (a queue worker: a
   * failure must fail the job, so the queue retries it). Default false: the receiver's deadline.
   */
  wait?: boolean;
}

/** The `Content-Length` header as a number, when it is one. */
export function toLength(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const length = typeof value === 'number' ? value : Number.parseInt(value, 10);
  return Number.isFinite(length) && length >= 0 ? length : undefined;
}
