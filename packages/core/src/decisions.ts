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
 * Refuse the action. `code`: 1 (default) or an app code in the command's range (each command's
 * `rejectCodes` in the catalogue; the README's command table lists them); `info` is passed to the
 * client where Tencent does so.
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

/**
 * Which decisions each decision form takes (`ack` = after-callback, none): the one definition the
 * handler types, the runtime check, the reply builder and the README's command table all derive from.
 */
export const DECISION_FORMS = {
  ack: [],
  send: ['allow', 'modify', 'reject', 'discard'],
  veto: ['allow', 'reject'],
  invite: ['allow', 'reject', 'refuse-some'],
  subscribe: ['allow', 'reject', 'refuse-some'],
  friend: ['allow', 'reject', 'friend-results'],
} as const satisfies Record<string, readonly BeforeDecision['decision'][]>;

/** The decision forms a command can take. */
export type DecisionForm = keyof typeof DECISION_FORMS;

/** The decisions each form accepts; the compiler enforces this through the handler's return type. */
export type DecisionsByForm = {
  [F in DecisionForm]: Extract<BeforeDecision, { decision: (typeof DECISION_FORMS)[F][number] }>;
};

/** Whether a command of `form` can answer with a decision of this kind (the runtime side of `DecisionsByForm`). */
export function takesDecision(form: DecisionForm, kind: unknown): kind is BeforeDecision['decision'] {
  return (DECISION_FORMS[form] as readonly unknown[]).includes(kind);
}

/** How a handler writes each decision (for the README's command table). */
export const DECISION_HELPERS: { readonly [K in BeforeDecision['decision']]: string } = {
  allow: 'allow()',
  modify: 'allow({ MsgBody, CloudCustomData })',
  reject: 'reject(code, info)',
  discard: 'discard()',
  'refuse-some': 'refuseOnly(accounts)',
  'friend-results': 'friendResults([...])',
};
