/**
 * The wire replies. The acknowledgement is byte-for-byte the one in Tencent's docs; decisions add
 * their fields after the three common ones. Replies are always JSON.
 */
import type { CommandSpec } from './catalogue/define.js';
import { type BeforeDecision, decisionsByForm, type FriendResult } from './decisions.js';
import { DecisionError, type ImCallbackError } from './errors.js';

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

export const OK_REPLY = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';

/** The answer the adapter writes: status, JSON text, headers. */
export interface CallbackResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const OK_RESPONSE: CallbackResponse = Object.freeze({ status: 200, body: OK_REPLY, headers: JSON_HEADERS });

/** A refusal: `ActionStatus` FAIL, `ErrorCode` 1, a short reason naming the error code. */
export function failureResponse(error: ImCallbackError): CallbackResponse {
  // A handler's own message may carry app internals: the wire only says that it failed.
  const reason =
    error.status >= 500
      ? `${error.code}: ${error.code === 'BODY_UNAVAILABLE' ? error.message : 'internal failure'}`
      : `${error.code}: ${error.message}`;
  return {
    status: error.status,
    body: JSON.stringify({ ActionStatus: 'FAIL', ErrorInfo: reason, ErrorCode: 1 }),
    headers: JSON_HEADERS,
  };
}

function inRange(code: number, range: readonly [number, number] | undefined): boolean {
  return range !== undefined && code >= range[0] && code <= range[1];
}

function isAccountList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

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

const REJECT_REPLY = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}';

/**
 * The fallback decision's reply: allow, or a plain refusal (friend callbacks: every friend of the
 * request with the first app code of the range). Computed from the inputs snapshot, so it cannot fail.
 */
export function fallbackReply(spec: CommandSpec, fallback: 'allow' | 'reject', inputs: readonly string[]): string {
  if (spec.form === 'friend') {
    const code = fallback === 'allow' ? 0 : (spec.rejectCodes?.[0] ?? 1);
    const results = inputs.map((To_Account) => ({ To_Account, ResultCode: code, ResultInfo: '' }));
    return JSON.stringify({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ResultItem: results });
  }
  return fallback === 'allow' ? OK_REPLY : REJECT_REPLY;
}

/**
 * The wire reply for a before-callback decision (`undefined` = allow); `inputs` comes from
 * `decisionInputs`. Throws `DecisionError` for a decision the command does not take, a code outside
 * its range or a malformed decision; a decision that cannot be serialised throws JSON's TypeError.
 */
export function replyFor(spec: CommandSpec, decision: BeforeDecision | undefined, inputs: readonly string[]): string {
  const kind =
    decision === undefined
      ? 'allow'
      : typeof decision === 'object' && decision !== null
        ? decision.decision
        : undefined;
  if (!decisionsByForm[spec.form].has(kind as BeforeDecision['decision'])) {
    throw new DecisionError(`${spec.command} cannot answer with ${describeDecision(kind ?? decision)}`);
  }
  if (spec.form === 'friend') return friendReply(spec, decision, inputs);
  const d = decision as BeforeDecision;
  switch (kind) {
    case 'allow':
      return OK_REPLY;
    case 'discard':
      return '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":2}';
    case 'reject': {
      const { code = 1, info = '' } = d as { code?: number; info?: string };
      if (!Number.isInteger(code) || (code !== 1 && !inRange(code, spec.rejectCodes))) {
        const range = spec.rejectCodes ? ` or ${spec.rejectCodes[0]}-${spec.rejectCodes[1]}` : '';
        throw new DecisionError(`${spec.command} rejects with code 1${range}, not ${String(code)}`);
      }
      if (typeof info !== 'string') throw new DecisionError('reject info must be a string');
      return JSON.stringify({ ActionStatus: 'OK', ErrorInfo: info, ErrorCode: code });
    }
    case 'modify': {
      const { MsgBody, CloudCustomData } = d as { MsgBody?: unknown; CloudCustomData?: unknown };
      if (MsgBody !== undefined && !Array.isArray(MsgBody))
        throw new DecisionError('allow({ MsgBody }) needs an array of elements');
      if (CloudCustomData !== undefined && typeof CloudCustomData !== 'string') {
        throw new DecisionError('allow({ CloudCustomData }) needs a string');
      }
      const reply: Record<string, unknown> = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
      if (MsgBody !== undefined) reply.MsgBody = MsgBody;
      if (CloudCustomData !== undefined) reply.CloudCustomData = CloudCustomData;
      return JSON.stringify(reply);
    }
    case 'refuse-some': {
      const { accounts } = d as { accounts: unknown };
      if (!isAccountList(accounts)) throw new DecisionError('refuseOnly() needs a list of account strings');
      const field = spec.form === 'invite' ? 'RefusedMembers_Account' : 'RefusedSubscribers_Account';
      return JSON.stringify({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, [field]: accounts });
    }
    default:
      throw new DecisionError(`${spec.command} cannot answer with ${JSON.stringify(kind)}`);
  }
}

function describeDecision(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/** Friend callbacks decide per friend: every friend of the request gets a `ResultItem`. */
function friendReply(spec: CommandSpec, decision: BeforeDecision | undefined, accounts: readonly string[]): string {
  let results: { To_Account: string; ResultCode: number; ResultInfo: string }[];
  if (decision === undefined || decision.decision === 'allow') {
    results = accounts.map((To_Account) => ({ To_Account, ResultCode: 0, ResultInfo: '' }));
  } else if (decision.decision === 'reject') {
    const code = decision.code ?? spec.rejectCodes?.[0] ?? 1;
    if (!Number.isInteger(code) || !inRange(code, spec.rejectCodes)) {
      throw new DecisionError(
        `${spec.command} refuses friends with codes ${spec.rejectCodes?.join('-')}, not ${String(code)}`,
      );
    }
    const info = decision.info ?? '';
    if (typeof info !== 'string') throw new DecisionError('reject info must be a string');
    results = accounts.map((To_Account) => ({ To_Account, ResultCode: code, ResultInfo: info }));
  } else if (decision.decision === 'friend-results') {
    if (!Array.isArray(decision.results)) throw new DecisionError('friendResults() needs a list of results');
    const given = new Map<string, { ResultCode: number; ResultInfo: string }>();
    for (const item of decision.results as readonly unknown[]) {
      const result = (typeof item === 'object' && item !== null ? item : {}) as Partial<FriendResult>;
      if (typeof result.To_Account !== 'string')
        throw new DecisionError('friendResults() items need a To_Account string');
      const code = result.ResultCode;
      if (!Number.isInteger(code) || (code !== 0 && !inRange(code as number, spec.rejectCodes))) {
        throw new DecisionError(
          `${spec.command} ResultCode must be 0 or ${spec.rejectCodes?.join('-')}, not ${String(code)}`,
        );
      }
      const info = result.ResultInfo ?? '';
      if (typeof info !== 'string') throw new DecisionError('friendResults() ResultInfo must be a string');
      given.set(result.To_Account, { ResultCode: code as number, ResultInfo: info });
    }
    for (const account of given.keys()) {
      if (!accounts.includes(account))
        throw new DecisionError(`friendResults() names ${account}, who is not in the request`);
    }
    results = accounts.map((To_Account) => ({
      To_Account,
      ...(given.get(To_Account) ?? { ResultCode: 0, ResultInfo: '' }),
    }));
  } else {
    throw new DecisionError(`${spec.command} cannot answer with ${JSON.stringify(decision.decision)}`);
  }
  return JSON.stringify({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ResultItem: results });
}
