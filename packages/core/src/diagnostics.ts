/**
 * Owns the tracing channel `im-callbacks:callback` (Node's `diagnostics_channel.tracingChannel`):
 * one context object per callback, published on `start` when the callback enters the receiver,
 * then `error` (refused or failed), then `end` when the answer is known synchronously, or `end`
 * when the synchronous part returns and `asyncStart`/`asyncEnd` when the answer is known later.
 * The context gains its fields as the pipeline learns them. Nothing is allocated and nothing is
 * published while nobody subscribes: `traceStart()` returns `undefined` then, the callback carries
 * no trace, and every note returns at once. Runtimes without `tracingChannel` get no tracing.
 * What a recorder needs (the query with `Sign` redacted, the body text) is read from the callback
 * by reference, and only computed when a subscriber asks for it (getters on the context).
 */
import * as diagnostics from 'node:diagnostics_channel';
import type { Callback } from './callback.js';
import type { BeforeDecision } from './decisions.js';
import type { ImCallbackError, ImCallbackErrorCode } from './errors.js';
import type { CallbackResponse } from './pipeline/reply.js';

/** The tracing channel's name: subscribe with `diagnostics_channel.tracingChannel(CALLBACK_CHANNEL)`. */
export const CALLBACK_CHANNEL = 'im-callbacks:callback';

/** How a before-callback was answered: the handler's decision, or `fallback` (no valid decision in time). */
export type CallbackDecision = BeforeDecision['decision'] | 'fallback';

/** What a traced callback turned out to be, once its body was parsed. */
export type CallbackKind = 'before' | 'after' | 'unknown' | 'check';

/** The one object every event of a callback's trace carries; fields appear as they become known. */
export interface CallbackTraceContext {
  /** The callback command (from the query; unverified when the request was refused). */
  command?: string | undefined;
  /**
   * `before` (answered with a decision), `after` (acknowledged), `unknown` (a command this version
   * does not know), or `check` (the IM console's URL check: no event, nothing dispatched). Set once
   * the body was parsed.
   */
  kind?: CallbackKind | undefined;
  /** The SDKAppID, once verified. */
  sdkAppId?: number | undefined;
  /** Tencent's `RequestID` query parameter, when there was one. */
  requestId?: string | undefined;
  /** The HTTP status answered. */
  status?: number | undefined;
  /** Before-callbacks: the decision answered. */
  decision?: CallbackDecision | undefined;
  /** The code of the first error of this callback (refusal, invalid payload, handler failure or timeout). */
  code?: ImCallbackErrorCode | undefined;
  /** That error (Node's convention: the `error` event's field). */
  error?: ImCallbackError | undefined;
  /** Milliseconds from handing the event to the handlers to the answer (the deadline when they missed it). */
  handlerDuration?: number | undefined;
  /** The answer (Node's convention: `result`): status, JSON body text, headers. */
  result?: CallbackResponse | undefined;
  /** When the callback arrived (the receiver's clock, ms since the epoch). */
  receivedAt?: number | undefined;
  /** The query parameters by original name, `Sign` (any case) redacted; computed when read. */
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** The body text as received (bounded by the body limit), or the JSON of a payload given already parsed; computed when read. */
  readonly body?: string | undefined;
}

/** The value that replaces a `Sign`: the Sign proves knowledge of the token for a minute. */
export const REDACTED = '[redacted]';

/**
 * The context object of one trace. Plain fields are written as the pipeline learns them; `query`
 * and `body` are getters over the callback (linked once its answer is known), so nothing is copied
 * or redacted unless a subscriber reads them.
 */
class TraceContext implements CallbackTraceContext {
  declare command?: string | undefined;
  declare kind?: CallbackKind | undefined;
  declare sdkAppId?: number | undefined;
  declare requestId?: string | undefined;
  declare status?: number | undefined;
  declare decision?: CallbackDecision | undefined;
  declare code?: ImCallbackErrorCode | undefined;
  declare error?: ImCallbackError | undefined;
  declare handlerDuration?: number | undefined;
  declare result?: CallbackResponse | undefined;
  receivedAt: number;
  #callback: Callback | undefined = undefined;
  #query: Readonly<Record<string, string>> | undefined = undefined;

  constructor(receivedAt: number) {
    this.receivedAt = receivedAt;
  }

  link(callback: Callback): void {
    this.#callback = callback;
  }

  get query(): Readonly<Record<string, string>> | undefined {
    if (this.#query !== undefined) return this.#query;
    const query = this.#callback?.query;
    if (query === undefined) return undefined;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(query.params))
      params[name] = name.toLowerCase() === 'sign' ? REDACTED : value;
    this.#query = params;
    return params;
  }

  get body(): string | undefined {
    const callback = this.#callback;
    if (callback === undefined) return undefined;
    if (callback.text !== undefined) return callback.text;
    const payload = callback.payload;
    if (payload === undefined || typeof payload === 'string') return payload;
    try {
      return JSON.stringify(payload);
    } catch {
      return undefined; // a payload `dispatch` was given that is not JSON (a cycle, a BigInt)
    }
  }
}

type Channel = { publish(message: unknown): void; readonly hasSubscribers: boolean };
type Tracing = { [K in 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error']: Channel } & {
  readonly hasSubscribers?: boolean;
};

const channel: Tracing | undefined =
  typeof diagnostics.tracingChannel === 'function'
    ? (diagnostics.tracingChannel(CALLBACK_CHANNEL) as unknown as Tracing)
    : undefined;

/** Whether anybody listens: `TracingChannel.hasSubscribers` (Node 20.13+), else each channel's (Bun, older Node). */
const subscribed: () => boolean =
  channel === undefined
    ? () => false
    : typeof channel.hasSubscribers === 'boolean'
      ? () => channel.hasSubscribers === true
      : () =>
          channel.start.hasSubscribers ||
          channel.end.hasSubscribers ||
          channel.asyncStart.hasSubscribers ||
          channel.asyncEnd.hasSubscribers ||
          channel.error.hasSubscribers;

const SYNC = 0;
const RETURNED = 1;
const ANSWERED = 2;

/** One callback's trace: the published context and where the trace is. */
export interface CallbackTrace {
  readonly context: TraceContext;
  phase: typeof SYNC | typeof RETURNED | typeof ANSWERED;
  handlersStarted: number;
}

/** Starts a callback's trace (publishes `start`); `undefined`, at no cost, when nobody subscribes. */
export function traceStart(receivedAt: number, command?: string): CallbackTrace | undefined {
  if (!subscribed()) return undefined;
  const context = new TraceContext(receivedAt);
  if (command !== undefined) context.command = command;
  const trace: CallbackTrace = { context, phase: SYNC, handlersStarted: 0 };
  (channel as Tracing).start.publish(context);
  return trace;
}

// Every note below takes the callback and does nothing when it is not traced.

/** The synchronous part of the traced call is over: `end` now, unless the answer is already out. Returns `value`. */
export function traceReturned<T>(callback: Callback, value: T): T {
  const trace = callback.trace;
  if (trace !== undefined && trace.phase === SYNC) {
    trace.phase = RETURNED;
    (channel as Tracing).end.publish(trace.context);
  }
  return value;
}

/** The payload was parsed and the event goes to the handlers: what kind of callback this is, for which app. */
export function traceHandlers(callback: Callback, kind: 'before' | 'after' | 'unknown'): void {
  const trace = callback.trace;
  if (trace === undefined) return;
  trace.context.kind = kind;
  trace.context.sdkAppId = callback.sdkAppId;
  if (callback.requestId !== undefined) trace.context.requestId = callback.requestId;
  trace.handlersStarted = performance.now();
}

/** The callback is the console's URL check: it carries no event and no handler runs. */
export function traceCheck(callback: Callback): void {
  const trace = callback.trace;
  if (trace === undefined) return;
  trace.context.kind = 'check';
  if (callback.sdkAppId !== undefined) trace.context.sdkAppId = callback.sdkAppId;
  if (callback.requestId !== undefined) trace.context.requestId = callback.requestId;
}

/** Records an error of the callback (the first one is its `code`); ignored once the answer is out. */
export function traceError(callback: Callback, error: ImCallbackError): void {
  const trace = callback.trace;
  if (trace === undefined || trace.phase === ANSWERED || trace.context.error !== undefined) return;
  trace.context.error = error;
  trace.context.code = error.code;
}

/** The before-callback was answered with this decision (`undefined` is allow). */
export function traceDecision(callback: Callback, decision: BeforeDecision | undefined): void {
  const trace = callback.trace;
  if (trace !== undefined) trace.context.decision = decision?.decision ?? 'allow';
}

/**
 * The answer is known: the context gets the status (and what the callback knows of itself), then
 * `error` if there was one, then `end` (answered synchronously) or `asyncStart` and `asyncEnd`.
 * Returns `response`.
 */
export function traceAnswer(callback: Callback, response: CallbackResponse, error?: ImCallbackError): CallbackResponse {
  const trace = callback.trace;
  if (trace === undefined) return response;
  const { context } = trace;
  context.link(callback);
  if (error !== undefined) traceError(callback, error);
  context.command ??= callback.command;
  context.requestId ??= callback.requestId;
  context.status = response.status;
  context.result = response;
  if (context.kind === 'before') context.decision ??= 'fallback';
  if (trace.handlersStarted !== 0) context.handlerDuration = performance.now() - trace.handlersStarted;
  const tracing = channel as Tracing;
  if (context.error !== undefined) tracing.error.publish(context);
  if (trace.phase === SYNC) {
    trace.phase = ANSWERED;
    tracing.end.publish(context);
  } else {
    trace.phase = ANSWERED;
    tracing.asyncStart.publish(context);
    tracing.asyncEnd.publish(context);
  }
  return response;
}
