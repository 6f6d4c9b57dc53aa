/**
 * Before-callback decisions. A handler of a before-callback returns one of these (or nothing,
 * which means allow); `replyFor` turns it into the exact wire reply. Each decision has its own
 * `decision` literal so the compiler can tell them apart: a command whose form does not accept a
 * decision (say `discard()` for a group creation) does not type-check.
 */
import type { MsgElement } from './catalogue/msg-body.js';

export interface AllowDecision {
  readonly decision: 'allow';
}

/** What a send callback may replace in the message (Tencent: reply `MsgBody` / `CloudCustomData`). */
export interface MessageChanges {
  MsgBody?: readonly MsgElement[];
  CloudCustomData?: string;
}

/** Allow the message, replacing its body and/or custom data. Send callbacks only. */
export interface ModifyDecision extends MessageChanges {
  readonly decision: 'modify';
}

/** Refuse. `code` defaults to 1 (Tencent's generic refusal); custom codes must be in the command's range. */
export interface RejectDecision {
  readonly decision: 'reject';
  readonly code?: number;
  readonly info?: string;
}

/** Drop the message silently: not delivered, the sender is told it succeeded. Send callbacks only. */
export interface DiscardDecision {
  readonly decision: 'discard';
}

/** Go on, but refuse these accounts only (invitees of a group invite, subscribers of an official account). */
export interface RefuseSomeDecision {
  readonly decision: 'refuse-some';
  readonly accounts: readonly string[];
}

/** One friend's result for `Sns.CallbackPrevFriendAdd` / `Sns.CallbackPrevFriendResponse`. */
export interface FriendResult {
  To_Account: string;
  /** 0 allows; any other value refuses (Tencent reserves 38000–39000 for app codes). */
  ResultCode: number;
  ResultInfo?: string;
}

/** Per-friend results. Friends of the request not listed are allowed. */
export interface FriendResultsDecision {
  readonly decision: 'friend-results';
  readonly results: readonly FriendResult[];
}

export type BeforeDecision =
  | AllowDecision
  | ModifyDecision
  | RejectDecision
  | DiscardDecision
  | RefuseSomeDecision
  | FriendResultsDecision;

const ALLOW: AllowDecision = Object.freeze({ decision: 'allow' });
const DISCARD: DiscardDecision = Object.freeze({ decision: 'discard' });

/** Let the action proceed; with `changes`, replace the message body and/or custom data (send callbacks). */
export function allow(): AllowDecision;
export function allow(changes: MessageChanges): ModifyDecision;
export function allow(changes?: MessageChanges): AllowDecision | ModifyDecision {
  if (changes === undefined) return ALLOW;
  const decision: { decision: 'modify' } & MessageChanges = { decision: 'modify' };
  if (changes.MsgBody !== undefined) decision.MsgBody = changes.MsgBody;
  if (changes.CloudCustomData !== undefined) decision.CloudCustomData = changes.CloudCustomData;
  return decision;
}

/**
 * Refuse the action. `code`: 1 (default) or an app code in the command's range (C2C send
 * 120001–130000, group callbacks 10100–10200, friend callbacks 38000–39000); `info` is passed to
 * the client where Tencent does so.
 */
export function reject(code?: number, info?: string): RejectDecision;
export function reject(options: { code?: number; info?: string }): RejectDecision;
export function reject(codeOrOptions?: number | { code?: number; info?: string }, info?: string): RejectDecision {
  const options =
    typeof codeOrOptions === 'object' && codeOrOptions !== null ? codeOrOptions : { code: codeOrOptions, info };
  const decision: { decision: 'reject'; code?: number; info?: string } = { decision: 'reject' };
  if (options.code !== undefined) decision.code = options.code;
  if (options.info !== undefined) decision.info = options.info;
  return decision;
}

/** Drop the message silently (send callbacks). */
export function discard(): DiscardDecision {
  return DISCARD;
}

/** Let the action proceed for everyone but `accounts` (group invitations, official-account subscriptions). */
export function refuseOnly(accounts: readonly string[]): RefuseSomeDecision {
  return { decision: 'refuse-some', accounts };
}

/** Per-friend results for the friend before-callbacks; friends not listed are allowed. */
export function friendResults(results: readonly FriendResult[]): FriendResultsDecision {
  return { decision: 'friend-results', results };
}

/** The decision forms a before-callback command can take (`ack` = after-callback, no decision). */
export type DecisionForm = 'ack' | 'send' | 'veto' | 'invite' | 'subscribe' | 'friend';

/** Which decisions each form accepts; the compiler enforces this through the handler's return type. */
export interface DecisionsByForm {
  ack: never;
  send: AllowDecision | ModifyDecision | RejectDecision | DiscardDecision;
  veto: AllowDecision | RejectDecision;
  invite: AllowDecision | RejectDecision | RefuseSomeDecision;
  subscribe: AllowDecision | RejectDecision | RefuseSomeDecision;
  friend: AllowDecision | RejectDecision | FriendResultsDecision;
}

/** Which `decision` literals each form accepts, for the runtime check. */
export const decisionsByForm: { readonly [F in DecisionForm]: ReadonlySet<BeforeDecision['decision']> } = {
  ack: new Set(),
  send: new Set(['allow', 'modify', 'reject', 'discard']),
  veto: new Set(['allow', 'reject']),
  invite: new Set(['allow', 'reject', 'refuse-some']),
  subscribe: new Set(['allow', 'reject', 'refuse-some']),
  friend: new Set(['allow', 'reject', 'friend-results']),
};
