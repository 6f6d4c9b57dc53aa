/**
 * Owns what the Node adapters (Express, Koa, Fastify) share: which requests they claim, the body
 * source of a Node request, writing the answer, and closing a connection answered early.
 * Framework-free: only `node:http` shapes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BodyUnavailableError } from './errors.js';
import { checkOptionNames, RECEIVER_OPTIONS, type ReceiverOptions, type SdkAppIdOption } from './options.js';
import { type BodySource, bodyReadWhole } from './pipeline/body.js';
import type { CallbackResponse } from './pipeline/reply.js';
import { hasCallbackCommand } from './pipeline/url.js';
import { type CallbackReceiver, createReceiver, isReceiver } from './receiver.js';

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

/** The path part of a request URL (before `?` or `#`). */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const at = url.search(/[?#]/);
  return at === -1 ? url : url.slice(0, at);
}

/** How long a refused connection stays open for the client to read the answer, at most, in ms. */
export const CLOSE_GRACE_MS = 1000;

/**
 * How many bytes a refused connection reads (and discards) after its answer, waiting for the
 * client's FIN: enough for the rest of an ordinary callback body, far too little to be worth streaming.
 */
export const CLOSE_READ_BUDGET = 64 * 1024;

function stayPaused(this: Socket): void {
  this.pause();
}

/**
 * Answering before the request body was read to its end (401, 403, 408, 413): stop reading and
 * close the connection without losing the answer. Returns whether it did so; the caller then sends
 * `Connection: close` with the answer.
 *
 * Left alone, Node's HTTP server either drains the whole unread body to keep the connection alive
 * (an unauthenticated client could stream gigabytes into a refused request), or, with
 * `Connection: close`, destroys the socket as soon as the answer is flushed, and the client, still
 * sending, gets a reset that can discard the answer before it is read. Instead the socket stops
 * reading until the answer is written (held paused when the server resumes it to discard the body);
 * then the answer and a FIN go out and:
 * - when the request did arrive whole meanwhile (a small body sent with its head: the usual forged
 *   request), nothing is left unread to cause a reset, so the socket is closed at once, as Node does;
 * - otherwise it reads again, discarding, so the client's own FIN is seen: the socket is destroyed
 *   as soon as the client ends or closes, when more than `CLOSE_READ_BUDGET` bytes arrive (a client
 *   that keeps sending is cut off), or after `graceMs` at the latest.
 * A paused socket never sees the client's FIN: a refused connection would hold its descriptor for the
 * whole grace even after the client left, and a flood of forged requests would run the process out
 * of descriptors.
 */
export function closeAfterAnswer(req: IncomingMessage, graceMs = CLOSE_GRACE_MS): boolean {
  // HTTP/2 streams are reset on their own without touching the shared connection.
  if (bodyReadWhole(req) || req.httpVersionMajor !== 1) return false;
  const socket = req.socket as Socket | null;
  // No real socket (Fastify's `inject`, light-my-request): nothing to stop or close.
  if (socket === null || socket.destroyed || typeof socket.pause !== 'function') return false;
  socket.pause();
  socket.on('resume', stayPaused);
  const destroySoon = socket.destroySoon;
  // Called by Node's HTTP server once an answer with `Connection: close` is written.
  socket.destroySoon = function lingeringClose(this: Socket): void {
    this.removeListener('resume', stayPaused);
    if (req.complete) {
      destroySoon.call(this);
      return;
    }
    if (this.writable) this.end();
    const destroy = (): void => {
      this.destroy();
    };
    const timer = setTimeout(destroy, graceMs);
    timer.unref();
    let budget = CLOSE_READ_BUDGET;
    // A `data` listener also takes the socket back from the HTTP parser's native reads, so every
    // byte is counted here; the parser still sees them and the request, dumped, discards its body.
    this.on('data', (chunk: Buffer) => {
      budget -= chunk.length;
      if (budget < 0) destroy();
    });
    this.once('end', destroy);
    this.once('close', () => clearTimeout(timer));
    this.resume();
    // The stream layer believes a read is already pending (the parser consumed the handle's reads
    // behind its back), so `resume` alone does not restart the handle: start it as Node's HTTP
    // server itself does when it resumes a socket.
    const handle = (this as unknown as { _handle?: { reading?: boolean; readStart?: () => number } })._handle;
    if (handle?.reading === false && typeof handle.readStart === 'function') {
      handle.reading = true;
      handle.readStart();
    }
  };
  return true;
}

/**
 * Writes the answer on a Node response. With the request, an answer sent before its body was read
 * to the end closes the connection (see `closeAfterAnswer`).
 */
export function writeNodeResponse(res: ServerResponse, response: CallbackResponse, req?: IncomingMessage): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name] as string);
  if (req !== undefined && closeAfterAnswer(req)) res.setHeader('connection', 'close');
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

/**
 * The receiver an adapter serves and its own options, from what the application passed: an
 * existing receiver (then only the adapter's own options are accepted: the receiver's belong to
 * `createReceiver`), or an SDKAppID with the receiver's options mixed in. Unknown option names are
 * refused with the list of valid ones.
 */
export function adapterReceiver<K extends string>(
  target: SdkAppIdOption | CallbackReceiver,
  options: unknown,
  adapterKeys: readonly K[],
  defaults: Partial<ReceiverOptions> = {},
): { receiver: CallbackReceiver; own: { [P in K]?: unknown } } {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) throw new TypeError('im-callbacks: options must be an object');
  const own: { [P in K]?: unknown } = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((adapterKeys as readonly string[]).includes(key)) own[key as K] = value;
    else rest[key] = value;
  }
  if (isReceiver(target)) {
    for (const key of Object.keys(rest)) {
      if ((RECEIVER_OPTIONS as readonly string[]).includes(key)) {
        throw new TypeError(
          `im-callbacks: option ${key} belongs to the receiver: pass it to createReceiver(), not with an existing receiver`,
        );
      }
    }
    checkOptionNames(rest, adapterKeys);
    return { receiver: target, own };
  }
  checkOptionNames(rest, [...RECEIVER_OPTIONS.filter((key) => key !== 'sdkAppId'), ...adapterKeys]);
  return { receiver: createReceiver({ ...defaults, ...rest, sdkAppId: target } as ReceiverOptions), own };
}

/**
 * A request URL with the value of its `Sign` parameter (any case) replaced by `[redacted]`, for
 * access logs: the Sign proves knowledge of the token for a minute and does not belong in logs.
 */
export function redactSign(url: string): string {
  return url.replace(/([?&]sign=)[^&#]*/gi, '$1[redacted]');
}
