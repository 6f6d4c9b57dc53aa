/**
 * The wire replies. The acknowledgement is byte-for-byte the one in Tencent's docs; decisions add
 * their fields after the three common ones. Replies are always JSON.
 */
import type { CommandSpec } from './catalogue/define.js';
import { type BeforeDecision, decisionsByForm } from './decisions.js';
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

function friendAccounts(spec: CommandSpec, payload: unknown): string[] {
  const items = spec.friendItems === undefined ? undefined : (payload as Record<string, unknown>)[spec.friendItems];
  if (!Array.isArray(items)) return [];
  return items.map((item) => (item as { To_Account: string }).To_Account);
}

/**
 * The wire reply for a before-callback decision (`undefined` = allow). Throws `DecisionError` for
 * a decision the command does not take, or a code outside its range.
 */
export function replyFor(spec: CommandSpec, decision: BeforeDecision | undefined, payload: unknown): string {
  const kind = decision === undefined ? 'allow' : decision?.decision;
  if (!decisionsByForm[spec.form].has(kind)) {
    throw new DecisionError(`${spec.command} cannot answer with ${JSON.stringify(kind ?? decision)}`);
  }
  if (spec.form === 'friend') return friendReply(spec, decision, payload);
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

/** Friend callbacks decide per friend: every friend of the request gets a `ResultItem`. */
function friendReply(spec: CommandSpec, decision: BeforeDecision | undefined, payload: unknown): string {
  const accounts = friendAccounts(spec, payload);
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
    results = accounts.map((To_Account) => ({ To_Account, ResultCode: code, ResultInfo: decision.info ?? '' }));
  } else if (decision.decision === 'friend-results') {
    const given = new Map<string, { ResultCode: number; ResultInfo: string }>();
    for (const item of decision.results) {
      if (typeof item?.To_Account !== 'string')
        throw new DecisionError('friendResults() items need a To_Account string');
      const code = item.ResultCode;
      if (!Number.isInteger(code) || (code !== 0 && !inRange(code, spec.rejectCodes))) {
        throw new DecisionError(
          `${spec.command} ResultCode must be 0 or ${spec.rejectCodes?.join('-')}, not ${String(code)}`,
        );
      }
      given.set(item.To_Account, { ResultCode: code, ResultInfo: item.ResultInfo ?? '' });
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
