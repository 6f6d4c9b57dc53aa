/**
 * Owns the error classes: every refusal and every failure the pipeline or a handler can cause is one
 * of these. Each carries a stable `code` (for logs, metrics and tests), the HTTP status the IM backend
 * was answered with, and what was known of the callback (command, payload, request id), all set once
 * at construction. Messages are short and never contain a token, a Sign or a stack trace.
 */

/** Every error code, with the status the IM backend is answered with: the one place this is written. */
export const ERROR_STATUS = {
  QUERY_MALFORMED: 400,
  SDKAPPID_MISSING: 403,
  SDKAPPID_MISMATCH: 403,
  SIGN_MISSING: 401,
  SIGN_INVALID: 401,
  REQUEST_TIME_MISSING: 401,
  REQUEST_TIME_INVALID: 401,
  REQUEST_TIME_STALE: 401,
  COMMAND_MISSING: 400,
  COMMAND_MISMATCH: 400,
  BODY_INVALID_JSON: 400,
  BODY_FORBIDDEN_KEY: 400,
  BODY_READ_FAILED: 400,
  BODY_TOO_LARGE: 413,
  BODY_TIMEOUT: 408,
  BODY_UNAVAILABLE: 500,
  /** Answered 200: the OK ack or the fallback decision. */
  PAYLOAD_INVALID: 200,
  METHOD_NOT_ALLOWED: 405,
  /** 500 for an after-callback that failed before the deadline; 200 when the answer was already decided. */
  HANDLER_FAILED: 500,
  HANDLER_TIMEOUT: 200,
  DECISION_INVALID: 200,
  INTERNAL_ERROR: 500,
  /** The `handoff` did not take the event (its `enqueue` failed or missed the deadline): retry later. */
  HANDOFF_FAILED: 503,
  /** The `dedupe` store could not be asked (after-callbacks: 503; before-callbacks decide anyway, 200). */
  DEDUPE_FAILED: 503,
  /** A duplicate arrived while the first was still being handled, and it was not answered by the deadline. */
  DUPLICATE_IN_FLIGHT: 503,
  /** `receiver.close()` was called: no new callbacks; the IM backend retries (when retry is on), maybe elsewhere. */
  SHUTTING_DOWN: 503,
  /**
   * Work of a callback (a late handler, a handoff, a de-duplication write) still running when
   * `close()` gave up: reported after the answer went out, so `status` is the status that callback
   * was answered with; 200 here because that is what the work left behind at a drain almost always
   * had (an acknowledged after-callback, a decided before-callback): Tencent will not send it again.
   */
  ABANDONED: 200,
} as const satisfies Record<string, number>;

export type ImCallbackErrorCode = keyof typeof ERROR_STATUS;

/** What the pipeline knew of the callback when the error happened. */
export interface ErrorContext {
  /** The command from the query (or body), when known. */
  readonly command?: string | undefined;
  /** The parsed body (or the raw text when it was not JSON), when there was one. */
  readonly payload?: unknown;
  /** The callback's `RequestID` query parameter, when it had one. */
  readonly requestId?: string | undefined;
}

export interface ImCallbackErrorDetails extends ErrorContext {
  /** What caused this error (a handler's exception, a valibot issue list...). */
  readonly cause?: unknown;
}

export class ImCallbackError extends Error {
  readonly code: ImCallbackErrorCode;
  /** The HTTP status the IM backend was (or will be) answered with. */
  readonly status: number;
  /** The callback command, when it was known. */
  readonly command: string | undefined;
  /** The parsed body, or its text when it was not JSON, when there was one. */
  readonly payload: unknown;
  /** The callback's `RequestID` (or `RequestId`) query parameter, when it had one: quote it to Tencent support. */
  readonly requestId: string | undefined;

  constructor(
    code: ImCallbackErrorCode,
    message: string,
    details: ImCallbackErrorDetails = {},
    status: number = ERROR_STATUS[code],
  ) {
    // A stack is captured as for any Error. Turning capture off around `super` (a global
    // `Error.stackTraceLimit` toggle) saved 3-5 µs a refusal in-process, a few per cent of what
    // a refused request costs over HTTP: inside the process-to-process spread, so not kept.
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.command = details.command;
    this.payload = details.payload;
    this.requestId = details.requestId;
  }
}

/** The query string is not usable: a parameter repeated or given as an array/object. 400. */
export class MalformedQueryError extends ImCallbackError {
  constructor(message: string, details?: ImCallbackErrorDetails) {
    super('QUERY_MALFORMED', message, details);
  }
}

/** `SdkAppid` is missing or is not one of ours. 403. */
export class SdkAppIdError extends ImCallbackError {
  constructor(code: 'SDKAPPID_MISSING' | 'SDKAPPID_MISMATCH', message: string, details?: ImCallbackErrorDetails) {
    super(code, message, details);
  }
}

/** `Sign`/`RequestTime` missing, wrong or outside the window (only when a token is configured). 401. */
export class SignatureError extends ImCallbackError {
  constructor(
    code: 'SIGN_MISSING' | 'SIGN_INVALID' | 'REQUEST_TIME_MISSING' | 'REQUEST_TIME_INVALID' | 'REQUEST_TIME_STALE',
    message: string,
    details?: ImCallbackErrorDetails,
  ) {
    super(code, message, details);
  }
}

/** The request is malformed: no command, mismatching commands, bad JSON, a forbidden key, an unreadable body. 400. */
export class MalformedRequestError extends ImCallbackError {
  constructor(
    code: 'COMMAND_MISSING' | 'COMMAND_MISMATCH' | 'BODY_INVALID_JSON' | 'BODY_FORBIDDEN_KEY' | 'BODY_READ_FAILED',
    message: string,
    details?: ImCallbackErrorDetails,
  ) {
    super(code, message, details);
  }
}

/**
 * An authenticated body that is JSON but fails its command's schema. The IM backend is answered
 * 200 (after-callbacks: the OK ack; before-callbacks: the fallback decision), because Tencent does
 * not resend after-callbacks and reads a before-callback's `ErrorCode` 1 as "refuse"; this error
 * carries the raw payload and valibot's `issues` so nothing is lost. Handlers never see the payload.
 */
export class PayloadValidationError extends ImCallbackError {
  readonly issues: readonly unknown[];
  readonly path: string;
  constructor(message: string, path: string, issues: readonly unknown[], details?: ImCallbackErrorDetails) {
    super('PAYLOAD_INVALID', message, details);
    this.issues = issues;
    this.path = path;
  }
}

/** The body is larger than `bodyLimit`. 413. Reading stopped at the limit. */
export class BodyTooLargeError extends ImCallbackError {
  readonly limit: number;
  constructor(limit: number, details?: ImCallbackErrorDetails) {
    super('BODY_TOO_LARGE', `body exceeds the limit of ${limit} bytes`, details);
    this.limit = limit;
  }
}

/** The body did not arrive completely within `bodyTimeout`. 408; the connection is closed. */
export class BodyTimeoutError extends ImCallbackError {
  readonly timeout: number;
  constructor(timeout: number, details?: ImCallbackErrorDetails) {
    super('BODY_TIMEOUT', `body did not arrive within ${timeout} ms`, details);
    this.timeout = timeout;
  }
}

/** An upstream middleware consumed the request stream and kept nothing we can read. 500 (app misconfiguration). */
export class BodyUnavailableError extends ImCallbackError {
  constructor(message: string, details?: ImCallbackErrorDetails) {
    super('BODY_UNAVAILABLE', message, details);
  }
}

/** The request is not a POST (Web-standard handler only; the Node adapters pass such requests on). 405. */
export class MethodNotAllowedError extends ImCallbackError {
  constructor(method: string) {
    super('METHOD_NOT_ALLOWED', `method ${method} not allowed, callbacks are POST`);
  }
}

/**
 * A handler failed. For after-callbacks that finished before the deadline the answer is 500;
 * for before-callbacks (and late after-callback failures) the answer was already decided and
 * `status` says what was sent.
 */
export class HandlerError extends ImCallbackError {
  constructor(status: number, message: string, details?: ImCallbackErrorDetails) {
    super('HANDLER_FAILED', message, details, status);
  }
}

/** A before-callback handler missed the deadline; the fallback decision was sent (200). */
export class HandlerTimeoutError extends ImCallbackError {
  readonly deadline: number;
  constructor(deadline: number, details?: ImCallbackErrorDetails) {
    super('HANDLER_TIMEOUT', `handler did not decide within ${deadline} ms, fallback decision sent`, details);
    this.deadline = deadline;
  }
}

/** A handler returned a decision the command does not take, a malformed one, or one that cannot be serialised; the fallback was sent. */
export class DecisionError extends ImCallbackError {
  constructor(message: string, details?: ImCallbackErrorDetails) {
    super('DECISION_INVALID', message, details);
  }
}

/**
 * The receiver's `handoff` did not take an after-callback (its `enqueue` rejected or missed the
 * deadline): answered 503 FAIL, so the callback is not acknowledged and dropped; carries the raw payload.
 */
export class HandoffError extends ImCallbackError {
  constructor(message: string, details?: ImCallbackErrorDetails) {
    super('HANDOFF_FAILED', message, details);
  }
}

/**
 * De-duplication could not decide: the store failed or did not answer in time (`DEDUPE_FAILED`), or
 * a duplicate's first copy was still in flight at the deadline (`DUPLICATE_IN_FLIGHT`). After-callbacks
 * are answered 503 (to be retried); a before-callback is decided anyway and `status` is 200.
 */
export class DedupeError extends ImCallbackError {
  constructor(
    code: 'DEDUPE_FAILED' | 'DUPLICATE_IN_FLIGHT',
    message: string,
    details?: ImCallbackErrorDetails,
    status?: number,
  ) {
    super(code, message, details, status);
  }
}

/** The receiver is closing (`receiver.close()`): the callback was not taken, answered 503 so it is retried. */
export class ShuttingDownError extends ImCallbackError {
  constructor(details?: ImCallbackErrorDetails) {
    super('SHUTTING_DOWN', 'receiver is shutting down, not taking callbacks', details);
  }
}

/**
 * `receiver.close()` timed out while work of this callback was still running (a handler answered
 * late, a handoff's enqueue, a de-duplication write): the process is about to stop, so that work
 * will not finish. Carries the callback's payload, so the application can keep it; `status` is what
 * the callback had been answered with (503 if it had not been answered).
 */
export class AbandonedError extends ImCallbackError {
  constructor(status: number, message: string, details?: ImCallbackErrorDetails) {
    super('ABANDONED', message, details, status);
  }
}

/** A fault inside im-callbacks itself (a bug): 500, reported like any other error. */
export class InternalError extends ImCallbackError {
  constructor(details?: ImCallbackErrorDetails) {
    super('INTERNAL_ERROR', 'internal error', details);
  }
}

/**
 * Whether `value` is one of ours. Total: `instanceof` walks the prototype chain, which throws for a
 * revoked Proxy (or a Proxy whose `getPrototypeOf` trap throws); such a value is not ours.
 */
export function isImCallbackError(value: unknown): value is ImCallbackError {
  try {
    return value instanceof ImCallbackError;
  } catch {
    return false;
  }
}

/**
 * The one place a foreign value (a `TypeError` from a handler's data, anything thrown) becomes a
 * typed error, built with what was known: `onError` never receives anything else. Never throws,
 * whatever was caught (the value is kept as `cause`, never inspected).
 */
export function toImCallbackError(
  caught: unknown,
  context: ErrorContext,
  wrap: (details: ImCallbackErrorDetails) => ImCallbackError = (details) => new InternalError(details),
): ImCallbackError {
  return isImCallbackError(caught) ? caught : wrap({ ...context, cause: caught });
}

/**
 * A short text for anything thrown, for messages and log lines. Never throws: a thrown value may be
 * an object `String()` cannot convert (null prototype, a `toString` or `message` getter that throws,
 * a revoked Proxy), and describing it must not become a second failure (an unhandled rejection in a
 * report, a 500 instead of the fallback).
 */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) {
      const message: unknown = error.message;
      return typeof message === 'string' ? message : describeError(message);
    }
    return String(error);
  } catch {
    // Not convertible: say what kind of value it was.
  }
  try {
    return `[unprintable ${Object.prototype.toString.call(error).slice(8, -1)}]`;
  } catch {
    return `[unprintable ${typeof error}]`;
  }
}
