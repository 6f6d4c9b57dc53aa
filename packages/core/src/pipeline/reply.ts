/**
 * Pipeline stage "reply": owns the wire bodies. The acknowledgement is byte-for-byte the one in
 * Tencent's docs; decisions add their fields after the three common ones; refusals are FAIL bodies.
 * Replies are always JSON.
 */
import type { CommandSpec } from '../catalogue/define.js';
import { type BeforeDecision, type DecisionForm, type FriendResult, takesDecision } from '../decisions.js';
import type { ImCallbackError } from '../errors.js';

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

export const OK_REPLY = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const REJECT_REPLY = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}';
const DISCARD_REPLY = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":2}';

/** The answer the adapter writes: status, JSON text, headers. */
export interface CallbackResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const OK_RESPONSE: CallbackResponse = Object.freeze({ status: 200, body: OK_REPLY, headers: JSON_HEADERS });

/** A 200 answer with this JSON body. */
export function okResponse(body: string): CallbackResponse {
  return { status: 200, body, headers: JSON_HEADERS };
}

/** A refusal: `ActionStatus` FAIL, `ErrorCode` 1, a short reason naming the error code. */
export function failureResponse(error: ImCallbackError): CallbackResponse {
  // A handler's own message may carry app internals: the wire only says that it failed. Our own
  // fixed messages (an unreadable body, shutting down) say what happened.
  const own = error.code === 'BODY_UNAVAILABLE' || error.code === 'SHUTTING_DOWN';
  const reason = `${error.code}: ${error.status >= 500 && !own ? 'internal failure' : error.message}`;
  return {
    status: error.status,
    body: JSON.stringify({ ActionStatus: 'FAIL', ErrorInfo: reason, ErrorCode: 1 }),
    // A 405 names the method that is allowed (RFC 9110).
    headers: error.status === 405 ? ALLOW_POST_HEADERS : JSON_HEADERS,
  };
}

const ALLOW_POST_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...JSON_HEADERS, allow: 'POST' });

/**
 * A decision that cannot be sent: the emitter turns it (like any other exception of the reply
 * step) into a `DecisionError` with the callback's context, and answers with the fallback.
 */
export class InvalidDecision extends Error {}

const NO_INPUTS: readonly string[] = Object.freeze([]);

/**
 * What a command's reply is computed from, taken from the payload once, before any handler runs:
 * the friends of a friend callback (each gets a `ResultItem`); nothing for other forms. Frozen, and
 * tolerant of a payload that is not what the schema says (a schema failure still gets its fallback).
 */
export function decisionInputs(spec: CommandSpec, payload: unknown): readonly string[] {
  if (spec.friendItems === undefined || typeof payload !== 'object' || payload === null) return NO_INPUTS;
  const items = (payload as Record<string, unknown>)[spec.friendItems];
  if (!Array.isArray(items)) return NO_INPUTS;
  const accounts: string[] = [];
  for (const item of items) {
    const account =
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>).To_Account : undefined;
    if (typeof account === 'string') accounts.push(account);
  }
  return Object.freeze(accounts);
}

function friendsReply(inputs: readonly string[], code: number, info: string): string {
  const results = inputs.map((To_Account) => ({ To_Account, ResultCode: code, ResultInfo: info }));
  return JSON.stringify({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ResultItem: results });
}

/**
 * The fallback decision's reply: allow, or a plain refusal (friend callbacks: every friend of the
 * request with the first app code of the range). Computed from the inputs snapshot, so it cannot fail.
 */
export function fallbackReply(spec: CommandSpec, fallback: 'allow' | 'reject', inputs: readonly string[]): string {
  if (spec.form === 'friend') return friendsReply(inputs, fallback === 'allow' ? 0 : (spec.rejectCodes?.[0] ?? 1), '');
  return fallback === 'allow' ? OK_REPLY : REJECT_REPLY;
}

function inRange(code: unknown, range: readonly [number, number] | undefined): code is number {
  return Number.isInteger(code) && range !== undefined && (code as number) >= range[0] && (code as number) <= range[1];
}

function infoOf(value: unknown, what: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new InvalidDecision(`${what} must be a string`);
  return value;
}

/** Where an invite or subscribe refusal lists the refused accounts. */
const REFUSED_FIELD: Partial<Record<DecisionForm, string>> = {
  invite: 'RefusedMembers_Account',
  subscribe: 'RefusedSubscribers_Account',
};

type Fields = Record<string, unknown>;

/** One reply shape per decision kind (the kinds a form takes are checked before). */
const replies: {
  [K in BeforeDecision['decision']]: (spec: CommandSpec, d: Fields, inputs: readonly string[]) => string;
} = {
  allow: (spec, _d, inputs) => (spec.form === 'friend' ? friendsReply(inputs, 0, '') : OK_REPLY),
  discard: () => DISCARD_REPLY,
  reject(spec, d, inputs) {
    const info = infoOf(d.info, 'reject info');
    if (spec.form === 'friend') {
      const code = d.code ?? spec.rejectCodes?.[0];
      if (!inRange(code, spec.rejectCodes)) {
        throw new InvalidDecision(
          `${spec.command} refuses friends with codes ${spec.rejectCodes?.join('-')}, not ${String(code)}`,
        );
      }
      return friendsReply(inputs, code, info);
    }
    const code = d.code ?? 1;
    if (code !== 1 && !inRange(code, spec.rejectCodes)) {
      const range = spec.rejectCodes ? ` or ${spec.rejectCodes[0]}-${spec.rejectCodes[1]}` : '';
      throw new InvalidDecision(`${spec.command} rejects with code 1${range}, not ${String(code)}`);
    }
    return JSON.stringify({ ActionStatus: 'OK', ErrorInfo: info, ErrorCode: code });
  },
  modify(_spec, d) {
    const { MsgBody, CloudCustomData } = d;
    if (MsgBody !== undefined && !Array.isArray(MsgBody))
      throw new InvalidDecision('allow({ MsgBody }) needs an array of elements');
    if (CloudCustomData !== undefined && typeof CloudCustomData !== 'string') {
      throw new InvalidDecision('allow({ CloudCustomData }) needs a string');
    }
    const reply: Fields = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
    if (MsgBody !== undefined) reply.MsgBody = MsgBody;
    if (CloudCustomData !== undefined) reply.CloudCustomData = CloudCustomData;
    // Throws JSON's TypeError for a body that cannot be serialised (BigInt, a cycle).
    return JSON.stringify(reply);
  },
  'refuse-some'(spec, d) {
    const { accounts } = d;
    if (!Array.isArray(accounts) || !accounts.every((item) => typeof item === 'string')) {
      throw new InvalidDecision('refuseOnly() needs a list of account strings');
    }
    return JSON.stringify({
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
      [REFUSED_FIELD[spec.form] as string]: accounts,
    });
  },
  'friend-results'(spec, d, inputs) {
    if (!Array.isArray(d.results)) throw new InvalidDecision('friendResults() needs a list of results');
    // Linear in friends + results: a Set answers "is this friend in the request", a Map keeps each
    // friend's result, and the reply is one pass over the request's friends.
    const requested = new Set(inputs);
    const given = new Map<string, { ResultCode: number; ResultInfo: string }>();
    for (const item of d.results as readonly unknown[]) {
      const result = (typeof item === 'object' && item !== null ? item : {}) as Partial<FriendResult>;
      const account = result.To_Account;
      if (typeof account !== 'string') throw new InvalidDecision('friendResults() items need a To_Account string');
      const code = result.ResultCode;
      if (code !== 0 && !inRange(code, spec.rejectCodes)) {
        throw new InvalidDecision(
          `${spec.command} ResultCode must be 0 or ${spec.rejectCodes?.join('-')}, not ${String(code)}`,
        );
      }
      if (!requested.has(account))
        throw new InvalidDecision(`friendResults() names ${account}, who is not in the request`);
      given.set(account, { ResultCode: code as number, ResultInfo: infoOf(result.ResultInfo, 'ResultInfo') });
    }
    const results = new Array<{ To_Account: string; ResultCode: number; ResultInfo: string }>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const To_Account = inputs[i] as string;
      const result = given.get(To_Account);
      results[i] = { To_Account, ResultCode: result?.ResultCode ?? 0, ResultInfo: result?.ResultInfo ?? '' };
    }
    return JSON.stringify({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ResultItem: results });
  },
};

function describeDecision(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/**
 * The wire reply for a before-callback decision (`undefined` = allow); `inputs` comes from
 * `decisionInputs`. Throws `InvalidDecision` for a decision the command does not take, a code
 * outside its range or a malformed decision, and JSON's TypeError for one that cannot be serialised.
 */
export function replyFor(spec: CommandSpec, decision: BeforeDecision | undefined, inputs: readonly string[]): string {
  const fields: unknown = decision ?? { decision: 'allow' };
  const kind = typeof fields === 'object' && fields !== null ? (fields as Fields).decision : undefined;
  if (!takesDecision(spec.form, kind)) {
    throw new InvalidDecision(`${spec.command} cannot answer with ${describeDecision(kind ?? decision)}`);
  }
  return replies[kind](spec, fields as Fields, inputs);
}
