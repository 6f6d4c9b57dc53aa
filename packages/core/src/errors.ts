/**
 * Every refusal the pipeline can make is one of these classes. Each carries a stable `code`
 * (for logs, metrics and tests) and the HTTP status the IM backend is answered with.
 * Messages are short and never contain a token, a Sign or a stack trace: they go on the wire.
 */
export type ImCallbackErrorCode =
  | 'QUERY_MALFORMED'
  | 'SDKAPPID_MISSING'
  | 'SDKAPPID_MISMATCH'
  | 'SIGN_MISSING'
  | 'SIGN_INVALID'
  | 'REQUEST_TIME_MISSING'
  | 'REQUEST_TIME_INVALID'
  | 'REQUEST_TIME_STALE'
  | 'COMMAND_MISSING'
  | 'COMMAND_MISMATCH'
  | 'BODY_INVALID_JSON'
  | 'BODY_FORBIDDEN_KEY'
  | 'BODY_READ_FAILED'
  | 'BODY_TOO_LARGE'
  | 'BODY_TIMEOUT'
  | 'BODY_UNAVAILABLE'
  | 'PAYLOAD_INVALID'
  | 'METHOD_NOT_ALLOWED'
  | 'HANDLER_FAILED'
  | 'HANDLER_TIMEOUT'
  | 'DECISION_INVALID'
  | 'INTERNAL_ERROR';

export interface ImCallbackErrorDetails {
  /** The command from the query (or body), when known. */
  command?: string;
  /** The parsed body (or the raw text when it was not JSON), when there was one. */
  payload?: unknown;
  /** What caused this error (a handler's exception, a valibot issue list...). */
  cause?: unknown;
  /** The callback's `RequestID` query parameter, when it had one. */
  requestId?: string | undefined;
}

export class ImCallbackError extends Error {
  readonly code: ImCallbackErrorCode;
  /** The HTTP status the IM backend was (or will be) answered with. */
  readonly status: number;
  /** The callback command, when it was known (set by the pipeline as it learns it). */
  command: string | undefined;
  /** The parsed body, or its text when it was not JSON, when there was one. */
  payload: unknown;
  /** The callback's `RequestID` (or `RequestId`) query parameter, when it had one: quote it to Tencent support. */
  requestId: string | undefined;

  constructor(code: ImCallbackErrorCode, status: number, message: string, details: ImCallbackErrorDetails = {}) {
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
    super('QUERY_MALFORMED', 400, message, details);
  }
}

/** `SdkAppid` is missing or is not one of ours. 403. */
export class SdkAppIdError extends ImCallbackError {
  constructor(code: 'SDKAPPID_MISSING' | 'SDKAPPID_MISMATCH', message: string, details?: ImCallbackErrorDetails) {
    super(code, 403, message, details);
  }
}

/** `Sign`/`RequestTime` missing, wrong or outside the window (only when a token is configured). 401. */
export class SignatureError extends ImCallbackError {
  constructor(
    code: 'SIGN_MISSING' | 'SIGN_INVALID' | 'REQUEST_TIME_MISSING' | 'REQUEST_TIME_INVALID' | 'REQUEST_TIME_STALE',
    message: string,
    details?: ImCallbackErrorDetails,
  ) {
    super(code, 401, message, details);
  }
}

/** The request is malformed: no command, mismatching commands, bad JSON, schema failure. 400. */
export class MalformedRequestError extends ImCallbackError {
  constructor(
    code: 'COMMAND_MISSING' | 'COMMAND_MISMATCH' | 'BODY_INVALID_JSON' | 'BODY_FORBIDDEN_KEY' | 'BODY_READ_FAILED',
    message: string,
    details?: ImCallbackErrorDetails,
  ) {
    super(code, 400, message, details);
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
    super('PAYLOAD_INVALID', 200, message, details);
    this.issues = issues;
    this.path = path;
  }
}

/** The body is larger than `bodyLimit`. 413. Reading stopped at the limit. */
export class BodyTooLargeError extends ImCallbackError {
  readonly limit: number;
  constructor(limit: number, details?: ImCallbackErrorDetails) {
    super('BODY_TOO_LARGE', 413, `body exceeds the limit of ${limit} bytes`, details);
    this.limit = limit;
  }
}

/** The body did not arrive completely within `bodyTimeout`. 408; the connection is closed. */
export class BodyTimeoutError extends ImCallbackError {
  readonly timeout: number;
  constructor(timeout: number, details?: ImCallbackErrorDetails) {
    super('BODY_TIMEOUT', 408, `body did not arrive within ${timeout} ms`, details);
    this.timeout = timeout;
  }
}

/** An upstream middleware consumed the request stream and kept nothing we can read. 500 (app misconfiguration). */
export class BodyUnavailableError extends ImCallbackError {
  constructor(message: string, details?: ImCallbackErrorDetails) {
    super('BODY_UNAVAILABLE', 500, message, details);
  }
}

/** The request is not a POST (Web-standard handler only; the Node adapters pass such requests on). 405. */
export class MethodNotAllowedError extends ImCallbackError {
  constructor(method: string) {
    super('METHOD_NOT_ALLOWED', 405, `method ${method} not allowed, callbacks are POST`);
  }
}

/**
 * A handler failed. For after-callbacks that finished before the deadline the answer is 500;
 * for before-callbacks (and late after-callback failures) the answer was already decided and
 * `status` says what was sent.
 */
export class HandlerError extends ImCallbackError {
  constructor(status: number, message: string, details?: ImCallbackErrorDetails) {
    super('HANDLER_FAILED', status, message, details);
  }
}

/** A before-callback handler missed the deadline; the fallback decision was sent (200). */
export class HandlerTimeoutError extends ImCallbackError {
  readonly deadline: number;
  constructor(deadline: number, details?: ImCallbackErrorDetails) {
    super('HANDLER_TIMEOUT', 200, `handler did not decide within ${deadline} ms, fallback decision sent`, details);
    this.deadline = deadline;
  }
}

/** A handler returned a decision the command does not support (or a code outside its range); the fallback was sent. */
export class DecisionError extends ImCallbackError {
  constructor(message: string, details?: ImCallbackErrorDetails) {
    super('DECISION_INVALID', 200, message, details);
  }
}

/** A fault inside im-callbacks itself (a bug): 500, reported like any other error. */
export class InternalError extends ImCallbackError {
  constructor(details?: ImCallbackErrorDetails) {
    super('INTERNAL_ERROR', 500, 'internal error', details);
  }
}

/**
 * The one place a foreign value (a `TypeError` from a handler's data, anything thrown) becomes a
 * typed error: `wrap` makes it, and the context the pipeline knows is filled in where missing.
 * `onError` never receives anything else.
 */
export function toImCallbackError(
  caught: unknown,
  context: { command?: string | undefined; payload?: unknown; requestId?: string | undefined },
  wrap: (cause: unknown) => ImCallbackError = (cause) => new InternalError({ cause }),
): ImCallbackError {
  const error = caught instanceof ImCallbackError ? caught : wrap(caught);
  error.command ??= context.command;
  if (error.payload === undefined) error.payload = context.payload;
  error.requestId ??= context.requestId;
  return error;
}
