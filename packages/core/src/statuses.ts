/**
 * Owns the status table: every situation the receiver answers, with the error codes it reports to
 * `onError` and the body it sends. The status of a row is not written here: it comes from
 * `ERROR_STATUS` (the one place an error's status is written), or, for a callback answered although
 * something failed (the fallback decision, an ack already sent), from the OK answer's. The README's
 * status table is generated from this (`pnpm readme:statuses`); a test fails when it drifts, and
 * another when an error code has no row.
 */
import { ERROR_STATUS, type ImCallbackErrorCode } from './errors.js';
import { OK_RESPONSE } from './pipeline/reply.js';

export interface StatusRow {
  readonly situation: string;
  /** The codes `onError` gets (none: nothing is reported). */
  readonly codes: readonly ImCallbackErrorCode[];
  /** The error classes `onError` gets, as the README names them. */
  readonly reports?: string;
  /** More on what `onError` gets. */
  readonly note?: string;
  /**
   * How the callback is answered: `error` with the codes' status (the default), `ok` with the OK
   * answer's (the callback was decided or acknowledged anyway), `first-copy` as its first copy was,
   * `answered` as the callback itself already was (reported after its answer went out).
   */
  readonly answer?: 'error' | 'ok' | 'first-copy' | 'answered';
  readonly body: string;
}

const FAIL = 'FAIL';
const FAIL_REASON = 'FAIL, short reason';

export const STATUS_TABLE: readonly StatusRow[] = [
  {
    situation: 'accepted',
    codes: [],
    answer: 'ok',
    body: '`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` or the decision',
  },
  {
    situation: "the IM console's URL check: authenticated, no event (an empty body or `{}`)",
    codes: [],
    answer: 'ok',
    note: 'an info log line, at most one a minute; no handler, no `onAny`',
    body: '`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`; nothing dispatched',
  },
  {
    situation: '`SdkAppid` missing (and a body with an event) or not ours',
    codes: ['SDKAPPID_MISSING', 'SDKAPPID_MISMATCH'],
    reports: 'SdkAppIdError',
    body: FAIL_REASON,
  },
  {
    situation: 'a known query parameter repeated or given as array/object',
    codes: ['QUERY_MALFORMED'],
    reports: 'MalformedQueryError',
    body: FAIL,
  },
  {
    situation: '`Sign`/`RequestTime` missing, wrong or outside the window (token configured)',
    codes: ['SIGN_MISSING', 'SIGN_INVALID', 'REQUEST_TIME_MISSING', 'REQUEST_TIME_INVALID', 'REQUEST_TIME_STALE'],
    reports: 'SignatureError',
    body: FAIL_REASON,
  },
  {
    situation:
      'no command (and a body with an event), command mismatch, bad JSON, forbidden key, a body that could not be read',
    codes: ['COMMAND_MISSING', 'COMMAND_MISMATCH', 'BODY_INVALID_JSON', 'BODY_FORBIDDEN_KEY', 'BODY_READ_FAILED'],
    reports: 'MalformedRequestError',
    body: FAIL_REASON,
  },
  {
    situation: 'authenticated, JSON, but fails its schema (handlers are not called)',
    codes: ['PAYLOAD_INVALID'],
    reports: 'PayloadValidationError',
    note: 'with the raw `payload`, `issues` and `path`',
    body: 'after-callback: OK; before-callback: the fallback decision',
  },
  {
    situation: 'body over the limit',
    codes: ['BODY_TOO_LARGE'],
    reports: 'BodyTooLargeError',
    body: 'FAIL, connection closed',
  },
  {
    situation: 'body not complete within `bodyTimeout`',
    codes: ['BODY_TIMEOUT'],
    reports: 'BodyTimeoutError',
    body: 'FAIL, connection closed',
  },
  {
    situation: 'after-callback handler threw (before the deadline)',
    codes: ['HANDLER_FAILED'],
    reports: 'HandlerError',
    note: 'the exception as `cause`',
    body: FAIL,
  },
  {
    situation: 'an upstream middleware consumed the body and kept no copy',
    codes: ['BODY_UNAVAILABLE'],
    reports: 'BodyUnavailableError',
    body: FAIL,
  },
  {
    situation: 'a fault inside im-callbacks itself (a bug)',
    codes: ['INTERNAL_ERROR'],
    reports: 'InternalError',
    body: FAIL,
  },
  {
    situation: 'before-callback handler threw / missed the deadline / returned an invalid decision',
    codes: ['HANDLER_FAILED', 'HANDLER_TIMEOUT', 'DECISION_INVALID'],
    reports: '`HandlerError`, `HandlerTimeoutError`, `DecisionError`',
    note: '`status` 200',
    answer: 'ok',
    body: 'the fallback decision',
  },
  {
    situation: 'after-callback handler failed after the deadline (OK already sent)',
    codes: ['HANDLER_FAILED'],
    reports: 'HandlerError',
    note: '`status` 200',
    answer: 'ok',
    body: 'OK',
  },
  {
    situation: 'not POST (fetch handler only; the middlewares pass other methods on)',
    codes: ['METHOD_NOT_ALLOWED'],
    reports: 'MethodNotAllowedError',
    body: 'FAIL, `Allow: POST`',
  },
  {
    situation: '`handoff` set: `enqueue` failed or missed the deadline (after-callbacks, unknown commands)',
    codes: ['HANDOFF_FAILED'],
    reports: 'HandoffError',
    note: 'with the raw `payload`',
    body: FAIL,
  },
  {
    situation: '`dedupe` set: the store failed or did not answer in time',
    codes: ['DEDUPE_FAILED'],
    reports: 'DedupeError',
    note: '`status` 200 for a before-callback',
    body: 'FAIL (before-callbacks: decided anyway, 200)',
  },
  {
    situation: '`dedupe` set: a duplicate whose first copy is still in flight at the deadline',
    codes: ['DUPLICATE_IN_FLIGHT'],
    reports: 'DedupeError',
    body: 'FAIL (before-callbacks: the fallback decision, 200)',
  },
  {
    situation: '`receiver.close()` called: callbacks arriving from then on (in-flight ones finish)',
    codes: ['SHUTTING_DOWN'],
    reports: 'ShuttingDownError',
    body: FAIL,
  },
  {
    situation: "`close()` timed out while a callback's late handler, handoff or de-dup write still ran",
    codes: ['ABANDONED'],
    reports: 'AbandonedError',
    note: "with the raw `payload`; `status` is the callback's own answer",
    answer: 'answered',
    body: 'already sent: OK, the decision, or the FAIL it got',
  },
  {
    situation: '`dedupe` set: a duplicate of an answered callback',
    codes: [],
    answer: 'first-copy',
    note: 'a debug log line',
    body: "the first copy's answer; not dispatched again",
  },
];

/** The status a row answers with (a number, or how it is chosen); throws for a row whose codes disagree. */
export function rowStatus(row: StatusRow): number | 'as the first copy' | 'as answered' {
  if (row.answer === 'first-copy') return 'as the first copy';
  if (row.answer === 'answered') return 'as answered';
  if (row.answer === 'ok') return OK_RESPONSE.status;
  const statuses = new Set(row.codes.map((code) => ERROR_STATUS[code]));
  if (statuses.size !== 1) throw new Error(`status table: the codes of "${row.situation}" answer different statuses`);
  return [...statuses][0] as number;
}
