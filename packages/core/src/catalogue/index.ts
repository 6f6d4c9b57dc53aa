/**
 * The catalogue: every known command, assembled from one module per domain. `CommandName`,
 * `Payload<C>` and the decision types of each handler are derived from here and nowhere else.
 */
import type * as v from 'valibot';
import type { DecisionsByForm } from '../decisions.js';
import { c2cCommands } from './c2c.js';
import { callCommands } from './call.js';
import type { CommandSpec } from './define.js';
import { groupCommands } from './group.js';
import { moderationCommands } from './moderation.js';
import { officialAccountCommands } from './official-account.js';
import { operationsCommands } from './operations.js';
import { pushCommands } from './push.js';
import { relationCommands } from './relation.js';
import { stateCommands } from './state.js';

/** Every catalogued command, domain by domain (protocol reference §1.1–§1.8, then the call callbacks). */
export const commandList = [
  ...operationsCommands,
  ...stateCommands,
  ...relationCommands,
  ...c2cCommands,
  ...groupCommands,
  ...moderationCommands,
  ...officialAccountCommands,
  ...pushCommands,
  ...callCommands,
] as const;

type CommandList = typeof commandList;

/** Every command's spec, keyed by its command string. */
export type Catalogue = { [S in CommandList[number] as S['command']]: S };

export type CommandName = keyof Catalogue;

/**
 * A schema output without the index signatures of `looseObject`: unknown fields are kept on the
 * payload at runtime, but only documented fields are typed, so a misspelt field does not compile.
 * (Read an undocumented field through `event.raw`, or `payload['Name']` after a cast.)
 */
export type KnownFields<T> = T extends string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? KnownFields<U>[]
    : T extends object
      ? { [K in keyof T as string extends K ? never : number extends K ? never : K]: KnownFields<T[K]> }
      : T;

/** The validated, normalised body of `C` (Tencent's field names; integers as numbers). */
export type Payload<C extends CommandName> = KnownFields<v.InferOutput<Catalogue[C]['schema']>>;

/** Commands the IM backend waits on (they take a decision). */
export type BeforeCommandName = { [C in CommandName]: Catalogue[C]['form'] extends 'ack' ? never : C }[CommandName];
/** Notifications (acknowledged; the answer changes nothing). */
export type AfterCommandName = Exclude<CommandName, BeforeCommandName>;

/** The decisions a handler of `C` may return. `never` for after-callbacks. */
export type DecisionFor<C extends CommandName> = DecisionsByForm[Catalogue[C]['form']];

export const catalogue = Object.fromEntries(commandList.map((spec) => [spec.command, spec])) as unknown as Catalogue;

const byName: ReadonlyMap<string, CommandSpec> = new Map(commandList.map((spec) => [spec.command, spec]));

/** The spec of a command, or undefined for a command this version does not know. */
export function commandSpec(command: string): CommandSpec | undefined {
  return byName.get(command);
}

export function isKnownCommand(command: string): command is CommandName {
  return byName.has(command);
}
