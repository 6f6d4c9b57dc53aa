/**
 * Owns the types handlers see: the event of each command (derived from the catalogue's schemas),
 * handler signatures, and the registration methods every adapter object carries.
 */
import type { AfterCommandName, Catalogue, CommandName, DecisionFor, Payload } from './catalogue/index.js';
import type { ImCallbackError } from './errors.js';

/** What the query string told about the callback. */
export interface CallbackContext {
  /** The app the callback is for (one of the configured SDKAppIDs). */
  readonly sdkAppId: number;
  /** `ClientIP`: the client's address; absent for server-originated callbacks. */
  readonly clientIp: string | undefined;
  /** `OptPlatform`: `RESTAPI`, `Web`, `Android`, `iOS` (`IOS` in State.StateChange), `Windows`, `Mac`, `iPad`, `Unknown`... */
  readonly optPlatform: string | undefined;
  /** `RequestTime` in Unix seconds, when callback authentication is on. */
  readonly requestTime: number | undefined;
  /**
   * The undocumented per-request id Tencent sends as `RequestID` (or `RequestId`), when present:
   * quote it to Tencent support, or use it to recognise a resent callback. Not covered by the Sign.
   */
  readonly requestId: string | undefined;
  /** Every query parameter by its original name. */
  readonly query: Readonly<Record<string, string>>;
}

/** One callback of command `C`. */
export interface CallbackEvent<C extends CommandName = CommandName> extends CallbackContext {
  readonly command: C;
  /** `before`: the IM backend waits for the handler's decision; `after`: a notification. */
  readonly kind: Catalogue[C]['form'] extends 'ack' ? 'after' : 'before';
  /** The validated body: Tencent's field names, values normalised (`EventTime` a number). Unknown fields kept. */
  readonly payload: Payload<C>;
  /**
   * The body as parsed from JSON, before validation. When validation changed nothing (the usual
   * case: no digit strings to turn into numbers, nothing renamed), it is the same object as `payload`.
   */
  readonly raw: unknown;
}

/** A callback whose command this version does not know: acknowledged OK and given to `onAny`. */
export interface UnknownCallbackEvent extends CallbackContext {
  readonly command: string;
  readonly kind: 'unknown';
  readonly payload: Readonly<Record<string, unknown>>;
  readonly raw: unknown;
}

/** Any known event, discriminated by `command`. */
export type KnownCallbackEvent = { [C in CommandName]: CallbackEvent<C> }[CommandName];
export type AnyCallbackEvent = KnownCallbackEvent | UnknownCallbackEvent;

type Awaitable<T> = T | Promise<T>;

/** What a handler of `C` may return: a decision for before-callbacks (nothing = allow); nothing for after-callbacks. */
export type HandlerResult<C extends CommandName> = C extends AfterCommandName
  ? unknown
  : DecisionFor<C> | undefined | void;

export type CallbackHandler<C extends CommandName> = (event: CallbackEvent<C>) => Awaitable<HandlerResult<C>>;
export type AnyCallbackHandler = (event: AnyCallbackEvent) => unknown;
export type ErrorHandler = (error: ImCallbackError) => unknown;

/** The registration methods every adapter object carries; each returns the object itself for chaining. */
export interface CallbackHandlers<Self> {
  /** Handle a command (or each of a list). For a before-callback, the first handler that returns a decision decides. */
  on<C extends CommandName>(command: C | readonly C[], handler: CallbackHandler<C>): Self;
  /** See every event, unknown commands included. Return values are ignored (observers). */
  onAny(handler: AnyCallbackHandler): Self;
  /** Every refusal and every handler failure, as a typed `ImCallbackError`. */
  onError(handler: ErrorHandler): Self;
  /** Removes a handler given to `on` (from `commands` only, when given), `onAny` or `onError`. */
  off(handler: (...args: never[]) => unknown, commands?: CommandName | readonly CommandName[]): Self;
}
