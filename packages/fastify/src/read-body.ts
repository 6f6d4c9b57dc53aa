/**
 * Reads the callback route's body for its content-type parser: the bytes as they come (no
 * `setEncoding`, whose decoded length Fastify 4 and 5 before 5.12.6 compare with Content-Length, so
 * a body of invalid UTF-8 would look truncated), within the byte limit and the body timeout, then
 * decoded to text once. A body that arrives in one chunk, as a callback of a few KB usually does, is
 * decoded from that chunk: no copy into a new Buffer first (Fastify's `parseAs: 'buffer'` always
 * makes one). One object per request: the stream's listeners are shared functions that find it on
 * the stream, and it is also what the body timeout holds.
 */
import { BodyDeadlines, type PendingBody } from './body-deadlines.js';

/** What Fastify hands a parser: the request, or the stream a preParsing hook returned. */
export type BodyStream = NodeJS.ReadableStream & { receivedEncodedLength?: number };

/** Fastify's callback for a content-type parser. */
export type ParserDone = (error: Error | null, body?: string) => void;

/** Why a body could not be read: over the limit, shorter or longer than declared, too slow, or the stream failed. */
export type ReadFailure = 'too-large' | 'length-mismatch' | 'timeout' | { cause: unknown };

const READ = Symbol('im-callbacks body read');
type Stream = BodyStream & { [READ]?: BodyRead<unknown> };

/** One body being read. */
export class BodyRead<R> {
  first: Buffer | undefined = undefined;
  chunks: Buffer[] | undefined = undefined;
  size = 0;
  timer: PendingBody<BodyRead<R>> | undefined = undefined;

  constructor(
    readonly reader: BodyReader<R>,
    readonly request: R,
    readonly payload: Stream,
    readonly declared: string | undefined,
    readonly done: ParserDone,
  ) {}

  /**
   * Stops reading (the body timeout cleared, the stream no longer this read's) and hands the outcome
   * to the reader. A stream that ended keeps its listeners, inert without the read (removing them
   * costs a scan of each event's listeners); one still flowing loses them.
   */
  finish(failure: ReadFailure | undefined, text: string): void {
    const payload = this.payload;
    if (!(payload as { readableEnded?: boolean }).readableEnded) {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    }
    payload[READ] = undefined;
    this.first = undefined;
    this.chunks = undefined;
    BodyDeadlines.settle(this.timer);
    this.reader.onRead(this, failure, text);
  }
}

/**
 * Reads bodies up to `limit` bytes, each within `timeout` ms of its start (one shared timer), and
 * calls `onRead` once per body with the text or why it failed. A stream that neither ends nor fails
 * is failed by its timeout.
 */
export class BodyReader<R> {
  readonly #deadlines: BodyDeadlines<BodyRead<R>>;

  constructor(
    readonly limit: number,
    timeout: number,
    readonly onRead: (read: BodyRead<R>, failure: ReadFailure | undefined, text: string) => void,
  ) {
    this.#deadlines = new BodyDeadlines<BodyRead<R>>(timeout, (read) => {
      // Reading stops here; what the client still sends is the HTTP server's to discard.
      read.payload.pause();
      read.finish('timeout', '');
    });
  }

  /** Starts reading `payload`; `declared` is its Content-Length header, checked against what arrived. */
  read(request: R, payload: BodyStream, declared: string | undefined, done: ParserDone): BodyRead<R> {
    const read = new BodyRead(this, request, payload as Stream, declared, done);
    read.timer = this.#deadlines.start(read);
    (payload as Stream)[READ] = read as BodyRead<unknown>;
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
    return read;
  }
}

// The listeners, shared by every read: the stream is `this`, the read is on it.
function onData(this: Stream, chunk: Buffer | string): void {
  const read = this[READ];
  if (read === undefined) return;
  // A preParsing stream may emit strings.
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  read.size += bytes.length;
  const limit = read.reader.limit;
  // A preParsing stream that decompresses reports what it took in: both must stay within the limit.
  if (read.size > limit || (this.receivedEncodedLength ?? 0) > limit) {
    read.finish('too-large', '');
    return;
  }
  if (read.first === undefined) read.first = bytes;
  else if (read.chunks === undefined) read.chunks = [read.first, bytes];
  else read.chunks.push(bytes);
}

function onEnd(this: Stream): void {
  const read = this[READ];
  if (read === undefined) return;
  const length = read.declared === undefined ? Number.NaN : Number(read.declared);
  if (!Number.isNaN(length) && (this.receivedEncodedLength || read.size) !== length) {
    read.finish('length-mismatch', '');
    return;
  }
  // `toString()` without arguments is Buffer's UTF-8 fast path.
  const text =
    read.chunks !== undefined ? Buffer.concat(read.chunks, read.size).toString() : (read.first?.toString() ?? '');
  read.finish(undefined, text);
}

function onError(this: Stream, cause: unknown): void {
  this[READ]?.finish({ cause }, '');
}
