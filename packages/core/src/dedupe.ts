/**
 * Owns de-duplication: the key of a callback, the store interface a receiver's `dedupe` option
 * takes, and the in-memory LRU store used when none is given. A store only remembers; deciding what
 * a duplicate gets is the delivery's (`delivery.ts`).
 */
import { createHash } from 'node:crypto';

/** What a duplicate is answered with: the first copy's answer. */
export interface DedupeAnswer {
  readonly status: number;
  readonly body: string;
}

/** What a store knows of a key another copy claimed: its answer, or nothing yet (still in flight). */
export interface DedupeRecord {
  readonly answer?: DedupeAnswer | undefined;
}

/**
 * Where de-duplication keys live: in memory (one process, the default), or shared by every instance
 * (`redisDedupeStore` from `@im-callbacks/bullmq`). Methods may return promises.
 */
export interface DedupeStore {
  /**
   * Claims `key` for `pendingTtl` ms, atomically across everyone sharing the store. `undefined`:
   * the caller is first and will `complete` or `release` it; otherwise what the first copy left.
   */
  claim(key: string, pendingTtl: number): Promise<DedupeRecord | undefined> | DedupeRecord | undefined;
  /** Keeps the first copy's answer for `ttl` ms, for the duplicates to come. */
  complete(key: string, answer: DedupeAnswer, ttl: number): Promise<void> | void;
  /** Forgets `key`: the first copy failed (5xx), so a retry must be handled again. */
  release(key: string): Promise<void> | void;
}

/** The `dedupe` option: how long a key is remembered (ms), and where (default: in memory). */
export interface DedupeOptions {
  /**
   * Milliseconds a callback is remembered once answered: longer than the IM backend keeps retrying.
   * A copy in flight holds its key until it is answered (by the deadline) whatever this says; a
   * value below the deadline is accepted with a warning.
   */
  ttl: number;
  /** Where keys live; default `memoryDedupeStore()` (one process). Share one (Redis) across instances. */
  store?: DedupeStore;
}

/** The longest `RequestID` used as its own key; a longer one is hashed (see `dedupeKey`). */
export const MAX_REQUEST_ID_KEY = 128;

/**
 * The de-duplication key of a callback: its `RequestID` when it has one (hashed when longer than
 * `MAX_REQUEST_ID_KEY`: an id is the client's text, and 10,000 ids of 15 KB held 150 MB of keys),
 * else the SHA-256 of the command and the body (the bytes as received; for `dispatch`, the
 * payload's JSON). A retry carries the same body; two distinct events never do (`EventTime`,
 * `MsgSeq`, `Random` differ).
 */
export function dedupeKey(command: string, requestId: string | undefined, body: string): string {
  if (requestId !== undefined && requestId !== '') {
    if (requestId.length <= MAX_REQUEST_ID_KEY) return requestId;
    // Prefixed, so a hashed id is never taken for a body hash (or for a short id spelt like one).
    return `requestid-sha256:${createHash('sha256').update(requestId).digest('hex')}`;
  }
  return createHash('sha256').update(command).update('\n').update(body).digest('hex');
}

interface MemoryEntry {
  expires: number;
  answer: DedupeAnswer | undefined;
}

/**
 * A store in this process's memory: at most `max` keys (default 10,000), least recently used
 * dropped first, each kept until its TTL passes. Right for one instance; several instances need a
 * shared store.
 */
export function memoryDedupeStore(options: { max?: number; now?: () => number } = {}): DedupeStore {
  const max = options.max ?? 10_000;
  if (!Number.isInteger(max) || max <= 0)
    throw new TypeError('im-callbacks: memoryDedupeStore max must be a positive integer');
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, MemoryEntry>();
  const put = (key: string, entry: MemoryEntry): void => {
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > max) entries.delete(entries.keys().next().value as string);
  };
  return {
    claim(key, pendingTtl) {
      const entry = entries.get(key);
      if (entry !== undefined && entry.expires > now()) {
        put(key, entry);
        return { answer: entry.answer };
      }
      put(key, { expires: now() + pendingTtl, answer: undefined });
      return undefined;
    },
    complete(key, answer, ttl) {
      put(key, { expires: now() + ttl, answer });
    },
    release(key) {
      entries.delete(key);
    },
  };
}
