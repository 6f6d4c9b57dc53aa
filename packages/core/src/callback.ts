/**
 * Owns the per-callback context: the one object a callback carries from the moment its headers
 * are in (`receiver.handle`) or its payload is given (`receiver.dispatch`) to its answer. Every
 * stage reads what it needs from it and writes what it learns into it (command, request id,
 * SDKAppID, payload, spec, event), so no state travels as positional parameters; errors are built
 * from it (it is an `ErrorContext`); the trace, the emitter and the delivery read their logger,
 * deadline and trace from it.
 */
import type { CommandSpec } from './catalogue/define.js';
import type { CallbackTrace } from './diagnostics.js';
import type { ErrorContext } from './errors.js';
import type { AnyCallbackEvent } from './events.js';
import type { Link } from './links.js';
import type { Logger } from './logger.js';
import type { CallbackQuery } from './pipeline/query.js';
import type { CallbackResponse } from './pipeline/reply.js';

/** An answer known now, or later: what every stage from the body on returns. */
export type Answer = CallbackResponse | Promise<CallbackResponse>;

export class Callback implements ErrorContext, Link<Callback> {
  /** The command (from the query, or `dispatch`'s argument; unverified until the query is). */
  command: string | undefined = undefined;
  /** Tencent's `RequestID` query parameter, when there was one. */
  requestId: string | undefined = undefined;
  /** The SDKAppID, once verified. */
  sdkAppId: number | undefined = undefined;
  /** The query as parsed, once it was (`handle` only): its `params` are read only when asked for. */
  query: CallbackQuery | undefined = undefined;
  /** The body as parsed (or its text when it was not JSON), once read. */
  payload: unknown = undefined;
  /** The body text as received (the de-duplication key of a callback without a `RequestID`). */
  text: string | undefined = undefined;
  /** The command's catalogue entry, once validated (undefined for a command this version does not know). */
  spec: CommandSpec | undefined = undefined;
  /** What the handlers get, once the payload is valid. */
  event: AnyCallbackEvent | undefined = undefined;
  /** The status the callback was answered with, once known (an `ABANDONED` report says it). */
  status: number | undefined = undefined;
  /** The host's `waitUntil` (`fetch(request, { waitUntil })`): given every piece of work that outlives the answer. */
  waitUntil: ((promise: Promise<unknown>) => void) | undefined = undefined;
  /** Pieces of its work still running (its answer counts as one): the receiver's `InFlight` keeps it. */
  pending = 0;
  /** The callbacks in flight before and after it, in the `InFlight`'s list (links.ts). */
  prev: Callback | undefined = undefined;
  next: Callback | undefined = undefined;

  constructor(
    /** When the callback arrived (the receiver's clock, ms): the handlers' deadline counts from here. */
    readonly receivedAt: number,
    readonly log: Logger,
    /** Its trace on the tracing channel, when somebody subscribes. */
    readonly trace: CallbackTrace | undefined,
    /** Milliseconds the handlers have, from `receivedAt` (Infinity: `dispatch({ wait: true })`). */
    readonly deadline: number,
  ) {}

  /** Milliseconds left for the handlers at `now`: at least 1, so an overdue callback still gets its answer. */
  left(now: number): number {
    return Math.max(1, this.deadline - (now - this.receivedAt));
  }
}
