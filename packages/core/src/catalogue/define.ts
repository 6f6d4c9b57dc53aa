import type * as v from 'valibot';
import type { DecisionForm } from '../decisions.js';

/** The catalogue's domains, one module each. */
export type Domain =
  | 'operations'
  | 'state'
  | 'relation'
  | 'c2c'
  | 'group'
  | 'moderation'
  | 'official-account'
  | 'push'
  | 'call';

/**
 * One callback command, as data: its name, what it means, which decisions it takes and the
 * valibot schema of its body. Event names and payload types come only from these entries.
 */
export interface CommandSpec<
  C extends string = string,
  S extends v.GenericSchema = v.GenericSchema,
  F extends DecisionForm = DecisionForm,
> {
  readonly command: C;
  readonly domain: Domain;
  /** `ack` for after-callbacks (notifications); any other form is a before-callback. */
  readonly form: F;
  /** One line: what the callback tells or asks. */
  readonly summary: string;
  readonly schema: S;
  /** Inclusive range of app-defined refusal codes this command accepts besides 1. */
  readonly rejectCodes?: readonly [number, number];
  /** `friend` form: the body array that lists the friends (`FriendItem` or `ResponseFriendItem`). */
  readonly friendItems?: string;
}

export function defineCommand<const C extends string, S extends v.GenericSchema, const F extends DecisionForm>(
  spec: CommandSpec<C, S, F>,
): CommandSpec<C, S, F> {
  return Object.freeze(spec);
}

/** Group before-callbacks: app refusal codes reserved by Tencent (error-code page, §6). */
export const GROUP_REJECT_CODES = [10100, 10200] as const;
/** C2C before-send: app refusal codes. */
export const C2C_REJECT_CODES = [120001, 130000] as const;
/** Friend before-callbacks: per-friend `ResultCode` range. */
export const FRIEND_REJECT_CODES = [38000, 39000] as const;
