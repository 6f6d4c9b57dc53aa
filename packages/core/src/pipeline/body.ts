/**
 * Pipeline stage "body": owns reading the body, the one reader every adapter uses (Express, Koa and
 * Fastify hand it the Node request or the stream a Fastify `preParsing` hook returned; the fetch
 * handler its Web stream). It owns the rules: the size limit (the declared `Content-Length` before a
 * byte is read, then the bytes as they come, never buffering past it), the body timeout (kept by
 * the receiver's `BodyDeadlines`, one timer for all its reads), an abort or a stream error mid-body,
 * a body shorter or longer than declared, and the decoding (UTF-8, a BOM kept for the "json" stage to drop, invalid sequences as U+FFFD). Its
 * failures are one vocabulary: `BodyTooLargeError` (413), `BodyTimeoutError` (408) and
 * `BODY_READ_FAILED` (400). Whatever a framework's body parser left in memory (a string, bytes, an
 * object) is taken synchronously. Parsing is the "json" stage's.
 */
import { BodyTimeoutError, BodyTooLargeError, type ErrorContext, MalformedRequestError } from '../errors.js';
import { TIMED_OUT } from '../settle.js';
import { BodyDeadlines, type BodyWatch } from './deadlines.js';

/** Anything a framework may hand over as the body. */
export type BodySource =
  | string
  | Uint8Array
  | ArrayBuffer
  | NodeJS.ReadableStream
  | ReadableStream<Uint8Array>
  | WebBody
  | Record<string, unknown>
  | unknown[]
  | null
  | undefined;

/**
 * A Web `Request`'s body, read through the request itself (the fetch handler's source): a body of
 * declared size within the limit is read whole with `arrayBuffer()`, which hosts serve without a
 * stream (`@hono/node-server` reads the Node request directly; Bun and Deno natively); any other
 * goes through its `body` stream, counted as it comes.
 */
export class WebBody {
  constructor(readonly request: Request) {}
}

function isNodeStream(value: unknown): value is NodeJS.ReadableStream {
  return (
    typeof (value as NodeJS.ReadableStream | null)?.on === 'function' &&
    typeof (value as NodeJS.ReadableStream).pause === 'function'
  );
}

function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === 'function';
}

/**
 * What a Fastify `preParsing` stream may report: the bytes it took in (before decompressing), which
 * the limit and the declared length apply to.
 */
type NodeBodyStream = NodeJS.ReadableStream & {
  receivedEncodedLength?: number;
  readableEnded?: boolean;
  /** Node's `IncomingMessage`: its HTTP parser received the whole message. */
  complete?: boolean;
  readableFlowing?: boolean | null;
  readableLength?: number;
  destroyed?: boolean;
};

/**
 * Node requests whose body `readNodeStream` took whole before Node's parser marked them `complete`
 * (it does so a moment later): per request, a mark for `bodyReadWhole`.
 */
const readWhole = new WeakSet<object>();

/** Whether a Node request's body was read to its end (by Node's parser, or taken whole here). */
export function bodyReadWhole(request: { complete?: boolean }): boolean {
  return request.complete === true || readWhole.has(request);
}

/**
 * A Node request's body, looked at in the turn after the call: adapters call from inside Node's
 * HTTP parser, as soon as the headers are parsed, and a body that came in the same packets (most
 * callbacks) is in the request's buffer by then. A Node request (`IncomingMessage`, which has
 * `complete`) whose buffer holds its whole body (the declared length: the parser never passes a
 * request more than that; or the whole message, when it had none) and from which nothing was taken
 * is read in one `read()`, with no listener and no timer; any other body is read as it comes
 * (`listen`). Measured (`pnpm bench`, Fastify plugin / hand-written Fastify route, one run each):
 * 0.87 → 0.96× the req/s at 600 B (server CPU 0.82 → 0.89×), 0.88 → 0.97× at 12 KB.
 */
function readNodeStream(
  stream: NodeBodyStream,
  limit: number,
  deadlines: BodyDeadlines,
  declaredLength: number | undefined,
  context: ErrorContext,
): Promise<ReadBody> {
  return Promise.resolve().then(() => {
    if (typeof stream.complete === 'boolean' && stream.readableFlowing !== true && stream.destroyed !== true) {
      const buffered = stream.readableLength ?? -1;
      if (declaredLength === undefined ? stream.complete && buffered <= limit : buffered === declaredLength) {
        const bytes = stream.read() as Buffer | string | null;
        readWhole.add(stream);
        // On, so the request still ends (and closes) as Node's server expects.
        stream.resume();
        return { text: bytes === null ? '' : typeof bytes === 'string' ? bytes : bytesToText(bytes) };
      }
    }
    return listen(stream, limit, deadlines, declaredLength, context);
  });
}

function listen(
  stream: NodeBodyStream,
  limit: number,
  deadlines: BodyDeadlines,
  declaredLength: number | undefined,
  context: ErrorContext,
): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    let settled = false;
    // Listeners are removed only when reading stops early (the stream goes on). A body read to its
    // end leaves them in place, inert: removing five listeners from a request that has others (the
    // framework's) cost each callback more than the rest of its read (measured on Fastify: 8-10 µs
    // of 55 per request; the framework's own reader costs 46).
    const stop = (error: Error): void => {
      settled = true;
      deadlines.done(watch);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('close', onClose);
      first = undefined;
      chunks = undefined;
      reject(error);
    };
    // The body has `timeout` ms to arrive; then reading stops (the adapter closes the connection).
    const watch = deadlines.watch(() => {
      stream.pause();
      stop(new BodyTimeoutError(deadlines.timeout, context));
    });
    const onData = (chunk: Buffer | string): void => {
      if (settled) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limit || (stream.receivedEncodedLength ?? 0) > limit) {
        // Stop here: what was read is dropped and the rest is left to the HTTP server, which
        // discards it once the 413 is sent.
        stream.pause();
        stop(new BodyTooLargeError(limit, context));
        return;
      }
      if (first === undefined) first = bytes;
      else if (chunks === undefined) chunks = [first, bytes];
      else chunks.push(bytes);
    };
    const onEnd = (): void => {
      if (settled) return;
      // Node's HTTP parser ends a request at its Content-Length; a stream in between may not.
      if (declaredLength !== undefined && (stream.receivedEncodedLength || size) !== declaredLength) {
        stop(
          new MalformedRequestError('BODY_READ_FAILED', 'request body length differs from its Content-Length', context),
        );
        return;
      }
      settled = true;
      deadlines.done(watch);
      // Decoded here, once, so the read resolves with its text (no second promise to turn bytes into it).
      const bytes = chunks !== undefined ? Buffer.concat(chunks, size) : first;
      resolve({ text: bytes === undefined ? '' : bytesToText(bytes) });
    };
    const onError = (cause: unknown): void => {
      if (!settled)
        stop(new MalformedRequestError('BODY_READ_FAILED', 'request body could not be read', { ...context, cause }));
    };
    const onClose = (): void => {
      // 'close' before 'end': the connection went away mid-body.
      if (settled || stream.readableEnded) return;
      stop(new MalformedRequestError('BODY_READ_FAILED', 'request was aborted before its body was read', context));
    };
    // Gone before the read began (a parse error or reset in the packets that carried the headers).
    if (stream.destroyed === true && stream.readableEnded !== true) {
      onClose();
      return;
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    // Kept after the read, so a late stream error is never unhandled.
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

/**
 * A request body of declared size (at most the limit, checked before): read whole, as text (hosts
 * decode it without a copy). HTTP's framing holds it to the declared size; a body that still comes
 * out larger (a `Request` built by hand with a wrong header) is refused all the same. A body still
 * incomplete at its deadline is abandoned: its stream is cancelled where the host still lets it be.
 */
function readDeclaredBody(
  request: Request,
  limit: number,
  deadlines: BodyDeadlines,
  context: ErrorContext,
): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const watch = deadlines.watch(() => {
      try {
        request.body?.cancel().catch(() => {});
      } catch {
        // A host that no longer lets the stream be touched: it is abandoned all the same.
      }
      reject(new BodyTimeoutError(deadlines.timeout, context));
    });
    request.text().then(
      (text) => {
        deadlines.done(watch);
        try {
          resolve(inMemory(text, limit, context));
        } catch (error) {
          reject(error);
        }
      },
      (cause: unknown) => {
        deadlines.done(watch);
        reject(new MalformedRequestError('BODY_READ_FAILED', 'request body could not be read', { ...context, cause }));
      },
    );
  });
}

async function readWebStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  deadlines: BodyDeadlines,
  context: ErrorContext,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let watch: BodyWatch | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    watch = deadlines.watch(() => resolve(TIMED_OUT));
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), expired]);
      if (next === TIMED_OUT) {
        // Cancelling settles the pending read; the runtime stops taking the body.
        reader.cancel().catch(() => {});
        throw new BodyTimeoutError(deadlines.timeout, context);
      }
      const { done, value } = next;
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLargeError(limit, context);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError || error instanceof BodyTimeoutError) throw error;
    throw new MalformedRequestError('BODY_READ_FAILED', 'request body could not be read', context);
  } finally {
    if (watch !== undefined) deadlines.done(watch);
    reader.releaseLock();
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, size);
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function bytesToText(bytes: Uint8Array): string {
  // `toString()` without arguments is Buffer's UTF-8 fast path.
  return Buffer.isBuffer(bytes) ? bytes.toString() : decoder.decode(bytes);
}

/** A body already in memory as text, within the limit. */
function inMemory(text: string, limit: number, context: ErrorContext): ReadBody {
  // A UTF-16 unit is at most 3 UTF-8 bytes: only count bytes when the string could be too long.
  if (text.length * 3 > limit && Buffer.byteLength(text) > limit) throw new BodyTooLargeError(limit, context);
  return { text };
}

/** What was read: text to parse, or a value an upstream parser already produced. */
export type ReadBody = { text: string } | { parsed: unknown };

/** How a body is read: at most `limit` bytes, all of them within `timeout` ms. */
export interface ReadLimits {
  readonly limit: number;
  readonly timeout: number;
  /**
   * The deadlines the reads share (one timer for all of them), with this `timeout`: a receiver
   * passes its own. Without it, each read has a `BodyDeadlines` (and so a timer) of its own.
   */
  readonly deadlines?: BodyDeadlines;
}

/**
 * Reads the body: synchronously when it is already in memory (a string, bytes, a parsed value),
 * else from its stream, bounded in size and time. `declaredLength` (Content-Length) lets an
 * oversized body be refused before a byte is read. Throws or rejects with the errors above.
 */
export function readBody(
  source: BodySource,
  limits: ReadLimits,
  declaredLength?: number,
  context: ErrorContext = {},
): ReadBody | Promise<ReadBody> {
  const { limit } = limits;
  if (typeof source === 'string') return inMemory(source, limit, context);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
    if (bytes.byteLength > limit) throw new BodyTooLargeError(limit, context);
    return { text: bytesToText(bytes) };
  }
  const request = source instanceof WebBody ? source.request : undefined;
  const web = request === undefined && isWebStream(source);
  if (request === undefined && !web && !isNodeStream(source)) return { parsed: source };
  if (declaredLength !== undefined && declaredLength > limit) throw new BodyTooLargeError(limit, context);
  const deadlines = limits.deadlines ?? new BodyDeadlines(limits.timeout);
  if (request !== undefined && declaredLength !== undefined)
    return readDeclaredBody(request, limit, deadlines, context);
  if (request === undefined && !web)
    return readNodeStream(source as NodeBodyStream, limit, deadlines, declaredLength, context);
  let bytes: Promise<Uint8Array>;
  if (request !== undefined) {
    const stream = request.body;
    bytes = stream === null ? Promise.resolve(new Uint8Array(0)) : readWebStream(stream, limit, deadlines, context);
  } else bytes = readWebStream(source as ReadableStream<Uint8Array>, limit, deadlines, context);
  return bytes.then((read) => ({ text: bytesToText(read) }));
}
