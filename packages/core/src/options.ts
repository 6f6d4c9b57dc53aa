/**
 * Owns the receiver's options: their types, their defaults, and checking them up front, so a
 * misconfiguration fails at start-up with a message that says what to do, not on the first callback.
 */
import { type DedupeOptions, type DedupeStore, memoryDedupeStore } from './dedupe.js';
import type { Handoff } from './handoff.js';
import { defaultLogger, type Logger } from './logger.js';
import { SignCheck } from './pipeline/sign.js';

export type SdkAppIdOption = number | string | readonly (number | string)[];

/** Options of the receiver; every adapter takes these (minus `sdkAppId`, its first argument). */
export interface ReceiverOptions {
  /** Your SDKAppID(s). Callbacks for any other app are refused with 403. */
  sdkAppId: SdkAppIdOption;
  /**
   * The callback authentication token set in the IM console. A list accepts any of them (rotation).
   * Without a token, requests are not authenticated and a warning is logged once.
   */
  token?: string | readonly string[] | undefined;
  /** Accepted distance between `RequestTime` and now, in seconds, both directions. Default 60. */
  requestTimeWindow?: number;
  /** Largest body read, in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /**
   * Milliseconds the whole body has to arrive in, once the query is verified; after that the
   * answer is 408 and the connection is closed. Default 3000 (the IM backend gives up after 2 s).
   */
  bodyTimeout?: number;
  /** Milliseconds a handler has before the answer goes out (fallback for before-callbacks). Default 1500; Tencent waits 2000. */
  deadline?: number;
  /** Decision sent when a before-callback handler throws, misses the deadline or returns an invalid decision. Default 'allow' (what Tencent does on timeout). */
  fallback?: 'allow' | 'reject';
  /** pino-style logger. Default: warnings and errors to the console. */
  logger?: Logger;
  /** Clock in milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Hand after-callbacks and unknown commands to a durable queue (`bullmqHandoff(queue)` from
   * `@im-callbacks/bullmq`, or any `{ enqueue(event) }`): acknowledged once `enqueue` resolves, not
   * dispatched here; a failure or a missed deadline is answered 503 (`HANDOFF_FAILED`).
   * Before-callbacks are never handed off: they are decided here, in time.
   */
  handoff?: Handoff;
  /**
   * Answer a re-sent callback (same `RequestID`, else same command and body) the way its first copy
   * was answered, without dispatching it again; `{ ttl, store? }`, in memory unless a store is given.
   */
  dedupe?: DedupeOptions;
}

export interface ResolvedOptions {
  sdkAppIds: ReadonlySet<string>;
  tokens: readonly string[];
  /** The receiver's Sign check (its own, over `tokens`). */
  signCheck: SignCheck;
  requestTimeWindow: number;
  bodyLimit: number;
  bodyTimeout: number;
  deadline: number;
  fallback: 'allow' | 'reject';
  logger: Logger;
  now: () => number;
  handoff: Handoff | undefined;
  dedupe: { readonly ttl: number; readonly store: DedupeStore } | undefined;
}

/** Every option the receiver takes (checked against `ReceiverOptions` by the compiler). */
export const RECEIVER_OPTIONS = [
  'sdkAppId',
  'token',
  'requestTimeWindow',
  'bodyLimit',
  'bodyTimeout',
  'deadline',
  'fallback',
  'logger',
  'now',
  'handoff',
  'dedupe',
] as const satisfies readonly (keyof ReceiverOptions)[];
type MissingOption = Exclude<keyof ReceiverOptions, (typeof RECEIVER_OPTIONS)[number]>;
const everyOptionListed: MissingOption extends never ? true : never = true;
void everyOptionListed;

/**
 * Refuses an option nobody takes (`tokn`), naming the ones that exist: the one check of option
 * names for every package (the receiver's and an adapter's own, `bullmqHandoff`'s, the
 * OpenTelemetry instrumentation's). `prefix` names a nested option (`dedupe.`), `owner` who speaks.
 */
export function checkOptionNames(options: object, valid: readonly string[], prefix = '', owner = 'im-callbacks'): void {
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      throw new TypeError(
        `${owner}: unknown option ${JSON.stringify(prefix + key)}; the options are ${valid.map((name) => prefix + name).join(', ')}`,
      );
    }
  }
}

function fail(message: string): never {
  throw new TypeError(`im-callbacks: ${message}`);
}

function positive(name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    fail(
      `option ${name} must be a positive number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got ${String(value)}`,
    );
  }
  return value;
}

function sdkAppIdSet(option: unknown): Set<string> {
  const list = Array.isArray(option) ? option : [option];
  if (list.length === 0) fail('sdkAppId must name at least one SDKAppID');
  const ids = new Set<string>();
  for (const id of list) {
    const text = typeof id === 'number' ? String(id) : typeof id === 'string' ? id.trim() : '';
    if (!/^[1-9]\d{0,15}$/.test(text))
      fail(`sdkAppId must be a positive integer or a string of digits, got ${JSON.stringify(id) ?? String(id)}`);
    ids.add(text);
  }
  return ids;
}

function tokenList(option: unknown): string[] {
  if (option === undefined) return [];
  const list = Array.isArray(option) ? option : [option];
  for (const token of list) {
    if (typeof token !== 'string' || token.length === 0) fail('token must be a non-empty string or a list of them');
  }
  return list as string[];
}

function isLogger(value: unknown): value is Logger {
  return hasMethods(value, ['debug', 'info', 'warn', 'error']);
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  const object = value as Record<string, unknown> | null;
  return typeof object === 'object' && object !== null && methods.every((name) => typeof object[name] === 'function');
}

function handoffOption(option: unknown): Handoff | undefined {
  if (option !== undefined && !hasMethods(option, ['enqueue']))
    fail('option handoff must be an object with an enqueue(event) method (e.g. bullmqHandoff(queue))');
  return option as Handoff | undefined;
}

function dedupeOption(option: unknown): ResolvedOptions['dedupe'] {
  if (option === undefined) return undefined;
  if (typeof option !== 'object' || option === null) fail('option dedupe must be an object: { ttl, store? }');
  checkOptionNames(option, ['ttl', 'store'], 'dedupe.');
  const { ttl, store } = option as DedupeOptions;
  if (ttl === undefined) fail('option dedupe.ttl is required: milliseconds a callback is remembered');
  if (store !== undefined && !hasMethods(store, ['claim', 'complete', 'release']))
    fail('option dedupe.store must have claim, complete and release methods (a DedupeStore)');
  return { ttl: positive('dedupe.ttl', ttl, 0, 2_147_483_647), store: store ?? memoryDedupeStore() };
}

/** Validates options up front, with a clear error, so a misconfiguration fails at start-up and not on the first callback. */
export function resolveOptions(options: ReceiverOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  checkOptionNames(options, RECEIVER_OPTIONS);
  if (options.fallback !== undefined && options.fallback !== 'allow' && options.fallback !== 'reject') {
    fail(`option fallback must be 'allow' or 'reject', got ${JSON.stringify(options.fallback)}`);
  }
  if (options.logger !== undefined && !isLogger(options.logger))
    fail('option logger must have debug, info, warn and error methods');
  if (options.now !== undefined && typeof options.now !== 'function') fail('option now must be a function');
  const sdkAppIds = sdkAppIdSet(options.sdkAppId);
  const tokens = tokenList(options.token);
  const resolved: ResolvedOptions = {
    sdkAppIds,
    tokens,
    signCheck: new SignCheck(tokens),
    requestTimeWindow: positive('requestTimeWindow', options.requestTimeWindow, 60),
    bodyLimit: positive('bodyLimit', options.bodyLimit, 1024 * 1024),
    // A timer cannot wait longer than 2^31 - 1 ms.
    bodyTimeout: positive('bodyTimeout', options.bodyTimeout, 3000, 2_147_483_647),
    // Tencent gives up after 2 s; a deadline at or past it would answer nobody.
    deadline: positive('deadline', options.deadline, 1500, 1999),
    fallback: options.fallback ?? 'allow',
    logger: options.logger ?? defaultLogger,
    now: options.now ?? Date.now,
    handoff: handoffOption(options.handoff),
    dedupe: dedupeOption(options.dedupe),
  };
  const { dedupe, deadline, logger } = resolved;
  if (dedupe !== undefined && dedupe.ttl < deadline) {
    // Accepted (a claim in flight still stands until the deadline, see delivery.ts), but a copy
    // re-sent after `ttl` runs the handlers again, and the IM backend retries for longer than that.
    logger.warn(
      `dedupe.ttl (${dedupe.ttl} ms) is shorter than the deadline (${deadline} ms): a re-sent callback is remembered only ${dedupe.ttl} ms after its answer; use minutes (e.g. 600000)`,
    );
  }
  return resolved;
}
