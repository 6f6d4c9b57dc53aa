/**
 * Faults for the property tests (issue 19, item 7): what a case's handler, `onAny` observer and
 * `onError` handler do (return, throw or reject any `fc.anything()` value, null-prototype objects
 * included, or never settle), whether `dedupe` is on, and a signed (or forged) request for a random
 * command. `FaultyApp` installs switchable behaviours on a receiver (or adapter) once; each case
 * sets them. The properties (`checkFaultCase`): every answer is in the status table and JSON, nothing
 * escapes (no unhandled rejection, no uncaught exception), `onError` gets typed errors only, and a
 * refusal is reported exactly once.
 */
import { type CallbackHandlers, ImCallbackError } from '@im-callbacks/core';
import { buildRequest, sample } from '@im-callbacks/testing';
import fc from 'fast-check';
import { FUZZ_APP, FUZZ_TOKEN, knownCommands, STATUS_TABLE } from './arbitraries';

/** What a handler does with a case's value. */
export type Behaviour =
  | { readonly kind: 'return'; readonly value: unknown }
  | { readonly kind: 'throw'; readonly value: unknown }
  | { readonly kind: 'reject'; readonly value: unknown }
  | { readonly kind: 'never' };

/**
 * Stand-ins for values fast-check itself cannot hold (it inspects every generated value to print
 * and clone a case, and a revoked Proxy throws on any inspection): made for real in `act`.
 */
const REVOKED_PROXY = Object.freeze({ stand_in: 'a revoked Proxy' });
const THROWING_TO_STRING = Object.freeze({ stand_in: 'an object whose toString throws' });

function materialise(value: unknown): unknown {
  if (value === REVOKED_PROXY) {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }
  if (value === THROWING_TO_STRING) {
    return {
      toString(): string {
        throw new Error('toString');
      },
    };
  }
  return value;
}

/** Anything, with the values `String()` cannot convert: null prototypes, throwing `toString`, revoked Proxies. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, maxDepth: 2 }),
  fc.constant(undefined),
  fc.string().map((text) => Symbol(text)),
  fc.constant(REVOKED_PROXY),
  fc.constant(THROWING_TO_STRING),
);

export const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  { weight: 3, arbitrary: hostileValue.map((value) => ({ kind: 'return', value }) as const) },
  { weight: 3, arbitrary: hostileValue.map((value) => ({ kind: 'throw', value }) as const) },
  { weight: 3, arbitrary: hostileValue.map((value) => ({ kind: 'reject', value }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'never' } as const) },
);

export interface FaultCase {
  readonly command: string;
  readonly forged: boolean;
  readonly handler: Behaviour;
  readonly observer: Behaviour;
  readonly onError: Behaviour;
  readonly dedupe: boolean;
  readonly query: string;
  readonly body: string;
  /** Where a streamed body is cut into chunks (in-process property). */
  readonly cuts: readonly number[];
}

let sequence = 0;

export const faultCase: fc.Arbitrary<FaultCase> = fc
  .record({
    command: fc.oneof(fc.constantFrom(...knownCommands), fc.constant('Fuzz.CallbackUnknown')),
    // One case in five is a forged Sign: a refusal, which must be reported exactly once.
    forged: fc.nat({ max: 4 }).map((n) => n === 0),
    handler: behaviour,
    observer: behaviour,
    onError: behaviour,
    dedupe: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
  })
  .map((parts) => {
    const payload = knownCommands.includes(parts.command) ? sample(parts.command as never) : { Fuzz: true };
    const built = buildRequest(parts.command, payload, {
      sdkAppId: FUZZ_APP,
      token: parts.forged ? 'not-the-token' : FUZZ_TOKEN,
    });
    // A RequestID of its own per case: de-duplication only ever sees this case's copies.
    return { ...parts, query: `${built.query}&RequestID=fault-${++sequence}`, body: built.body };
  });

/** Runs the property over `runs` fault cases (here, so every caller uses this file's fast-check). */
export function assertFaults(runs: number, seed: number, property: (c: FaultCase) => Promise<void>): Promise<void> {
  return fc.assert(fc.asyncProperty(faultCase, property), { numRuns: runs, seed, endOnFailure: true });
}

/** Calls `behaviour` (a handler's body). */
export function act(b: Behaviour): unknown {
  switch (b.kind) {
    case 'return':
      return materialise(b.value);
    case 'throw':
      throw materialise(b.value);
    case 'reject':
      return Promise.reject(materialise(b.value));
    case 'never':
      return new Promise(() => {});
  }
}

/** Switchable behaviours on one app, and what it reported. */
export class FaultyApp {
  handler: Behaviour = { kind: 'return', value: undefined };
  observer: Behaviour = { kind: 'return', value: undefined };
  onError: Behaviour = { kind: 'return', value: undefined };
  readonly errors: unknown[] = [];
  runs = 0;

  // biome-ignore lint/suspicious/noExplicitAny: any adapter's object
  constructor(im: CallbackHandlers<any>) {
    im.onError((error: unknown) => {
      this.errors.push(error);
    });
    im.onError(() => act(this.onError));
    im.onAny(() => act(this.observer));
    for (const command of knownCommands) {
      im.on(
        command as never,
        (() => {
          this.runs++;
          return act(this.handler);
        }) as never,
      );
    }
  }

  set(c: FaultCase): void {
    this.handler = c.handler;
    this.observer = c.observer;
    this.onError = c.onError;
    this.errors.length = 0;
  }
}

/** Unhandled rejections and uncaught exceptions (each would end a real process), while installed. */
export class Escapes {
  readonly seen: unknown[] = [];
  readonly #listener = (reason: unknown): void => {
    this.seen.push(reason);
  };
  install(): void {
    process.on('unhandledRejection', this.#listener);
    process.on('uncaughtException', this.#listener);
  }
  remove(): void {
    process.off('unhandledRejection', this.#listener);
    process.off('uncaughtException', this.#listener);
  }
}

/** The properties of one answer to a fault case. */
export function checkFaultCase(c: FaultCase, status: number, body: string, app: FaultyApp, escapes: Escapes): void {
  const where = `(command ${c.command}, forged ${c.forged}, dedupe ${c.dedupe}, handler ${c.handler.kind}, observer ${c.observer.kind}, onError ${c.onError.kind})`;
  if (STATUS_TABLE[status] === undefined && status !== 503)
    throw new Error(`status ${status} not in the table ${where}`);
  const reply = JSON.parse(body) as { ActionStatus?: unknown };
  if (typeof reply.ActionStatus !== 'string') throw new Error(`answer without ActionStatus ${where}`);
  if (escapes.seen.length > 0)
    throw new Error(`${escapes.seen.length} unhandled rejection(s) or exception(s) ${where}`);
  for (const error of app.errors) {
    if (!(error instanceof ImCallbackError))
      throw new Error(`onError got something else than an ImCallbackError ${where}`);
  }
  if (c.forged) {
    const codes = app.errors.map((error) => (error as ImCallbackError).code);
    if (status !== 401 || codes.length !== 1 || codes[0] !== 'SIGN_INVALID')
      throw new Error(`forged: ${status}, errors ${codes.join(',')} ${where}`);
  }
}
