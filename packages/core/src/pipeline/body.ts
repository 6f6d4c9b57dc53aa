/**
 * Pipeline stage "body": owns reading the body, bounded in size (never buffering past the limit)
 * and in time (`bodyTimeout`), from whatever the framework left us: a Node stream, a Web stream, a
 * string, bytes, or an object an upstream body parser produced. Parsing is the "json" stage's.
 */
import { BodyTimeoutError, BodyTooLargeError, type ErrorContext, MalformedRequestError } from '../errors.js';

/** Anything a framework may hand over as the body. */
export type BodySource =
  | string
  | Uint8Array
  | ArrayBuffer
  | NodeJS.ReadableStream
  | ReadableStream<Uint8Array>
  | Record<string, unknown>
  | unknown[]
  | null
  | undefined;

function isNodeStream(value: unknown): value is NodeJS.ReadableStream {
  return (
    typeof (value as NodeJS.ReadableStream | null)?.on === 'function' &&
    typeof (value as NodeJS.ReadableStream).pause === 'function'
  );
}

function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === 'function';
}

function readNodeStream(
  stream: NodeJS.ReadableStream,
  limit: number,
  timeout: number,
  context: ErrorContext,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // The body has `timeout` ms to arrive; then reading stops (the adapter closes the connection).
    const timer = setTimeout(() => {
      cleanup();
      stream.pause();
      chunks.length = 0;
      reject(new BodyTimeoutError(timeout, context));
    }, timeout);
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('aborted', onAborted);
      stream.removeListener('close', onClose);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limit) {
        // Stop here: what was read is dropped and the rest is left to the HTTP server, which
        // discards it once the 413 is sent.
        cleanup();
        stream.pause();
        chunks.length = 0;
        reject(new BodyTooLargeError(limit, context));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (): void => {
      cleanup();
      reject(new MalformedRequestError('BODY_READ_FAILED', 'request body could not be read', context));
    };
    const onAborted = (): void => {
      cleanup();
      reject(new MalformedRequestError('BODY_READ_FAILED', 'request was aborted before its body was read', context));
    };
    const onClose = (): void => {
      // 'close' before 'end': the connection went away mid-body.
      if ((stream as { readableEnded?: boolean }).readableEnded) return;
      onAborted();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
    stream.on('close', onClose);
    stream.resume();
  });
}

const TIMED_OUT = Symbol('timed out');

async function readWebStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  timeout: number,
  context: ErrorContext,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, timeout, TIMED_OUT);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), expired]);
      if (next === TIMED_OUT) {
        // Cancelling settles the pending read; the runtime stops taking the body.
        reader.cancel().catch(() => {});
        throw new BodyTimeoutError(timeout, context);
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
    clearTimeout(timer);
    reader.releaseLock();
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, size);
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

function bytesToText(bytes: Uint8Array): string {
  return Buffer.isBuffer(bytes) ? bytes.toString('utf8') : decoder.decode(bytes);
}

/** What was read: text to parse, or a value an upstream parser already produced. */
export type ReadBody = { text: string } | { parsed: unknown };

/**
 * The body when it is already in memory (a string, bytes, a parsed value), synchronously; undefined
 * for a stream, which `readBody` reads.
 */
export function bodyInMemory(source: BodySource, limit: number, context: ErrorContext = {}): ReadBody | undefined {
  if (typeof source === 'string') {
    // A UTF-16 unit is at most 3 UTF-8 bytes: only count bytes when the string could be too long.
    if (source.length * 3 > limit && Buffer.byteLength(source) > limit) throw new BodyTooLargeError(limit, context);
    return { text: source };
  }
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
    if (bytes.byteLength > limit) throw new BodyTooLargeError(limit, context);
    return { text: bytesToText(bytes) };
  }
  if (isWebStream(source) || isNodeStream(source)) return undefined;
  return { parsed: source };
}

/** How a stream body is read: at most `limit` bytes, all of them within `timeout` ms. */
export interface ReadLimits {
  readonly limit: number;
  readonly timeout: number;
}

/**
 * Reads the body to text (or returns an already-parsed value as is).
 * `declaredLength` (Content-Length) lets an oversized body be refused before reading a byte.
 */
export async function readBody(
  source: BodySource,
  limits: ReadLimits,
  declaredLength?: number,
  context: ErrorContext = {},
): Promise<ReadBody> {
  return bodyInMemory(source, limits.limit, context) ?? readStreamBody(source, limits, declaredLength, context);
}

/** Reads a stream source (one `bodyInMemory` did not take) to text, bounded in size and time. */
export async function readStreamBody(
  source: BodySource,
  limits: ReadLimits,
  declaredLength?: number,
  context: ErrorContext = {},
): Promise<ReadBody> {
  const { limit, timeout } = limits;
  if (declaredLength !== undefined && declaredLength > limit) throw new BodyTooLargeError(limit, context);
  const bytes = isWebStream(source)
    ? await readWebStream(source, limit, timeout, context)
    : await readNodeStream(source as NodeJS.ReadableStream, limit, timeout, context);
  return { text: bytesToText(bytes) };
}
