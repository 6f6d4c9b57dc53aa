import type { Catalogue, CommandName } from '@im-callbacks/core/catalogue';
import type * as v from 'valibot';

/** A body of `C` as the IM backend sends it: the schema's input (`EventTime` a number or a string). */
export type SampleOf<C extends CommandName> = v.InferInput<Catalogue[C]['schema']>;

/** One sample per command whose name starts with `P` (a domain's slice of `Samples`). */
export type SamplesOf<P extends string> = { readonly [C in Extract<CommandName, `${P}${string}`>]: SampleOf<C> };

/** A documented alternate shape of a command's body (another EventTime spelling, key casing...). */
export interface SampleVariant<C extends CommandName = CommandName> {
  readonly command: C;
  /** What differs from the main sample. */
  readonly name: string;
  /** The body; typed loosely because some variants differ from the documented shape on purpose. */
  readonly payload: Readonly<Record<string, unknown>>;
}
