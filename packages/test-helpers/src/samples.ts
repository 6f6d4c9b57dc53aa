/**
 * A realistic sample body for every command in the catalogue, typed by the command's schema
 * input (so `EventTime` may be a number or a string, as the IM backend sends it). The compiler
 * requires one sample per command: adding a command to the catalogue without a sample fails the
 * build. Domain slices live in `samples/`; `sampleVariants` lists the documented alternates.
 */
import type { CommandName } from '@im-callbacks/core';
import { c2cSamples } from './samples/c2c.js';
import { callSamples } from './samples/call.js';
import { groupSamples } from './samples/group.js';
import { moderationSamples, officialAccountSamples, pushSamples } from './samples/moderation-official-push.js';
import { operationsSamples, relationSamples, stateSamples } from './samples/operations-state-relation.js';
import type { SampleOf, SampleVariant } from './samples/types.js';
import { documentedVariants, eventTimeVariants } from './samples/variants.js';

export type { SampleOf, SampleVariant } from './samples/types.js';
export type Samples = { readonly [C in CommandName]: SampleOf<C> };

export const samples: Samples = {
  ...operationsSamples,
  ...stateSamples,
  ...relationSamples,
  ...c2cSamples,
  ...groupSamples,
  ...moderationSamples,
  ...officialAccountSamples,
  ...pushSamples,
  ...callSamples,
};

/**
 * Documented alternates of the samples: every sample's `EventTime` spelled the other way (number
 * or string of digits), then the hand-written variants (key casing, `ClientCmd` spellings, the
 * real-traffic bodies: `CreatedGroupNum`, live-room messages without `MsgSeq`/`MsgTime`/`Random`,
 * bodies without `EventTime`, `@TLS#NOT_FOUND` senders, undocumented `MsgPriority`/`InviteOption`/
 * `FriendShip`, alphabetically sorted keys; the documented additions: custom status, `MsgId`, group
 * type `Live`; u32 values above 2^31, unknown elements...).
 */
export const sampleVariants: readonly SampleVariant[] = [...eventTimeVariants(samples), ...documentedVariants];

/** The sample of `command`, deep-copied so a test can change it freely. */
export function sample<C extends CommandName>(command: C): SampleOf<C> {
  return structuredClone(samples[command]) as SampleOf<C>;
}

export { jsonFromDocExample, seedAfterSendMsgZh, seedSendMsgExceptionEn, seedSendMsgExceptionZh } from './seeds.js';
