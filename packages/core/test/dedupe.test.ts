/**
 * De-duplication keys (bounded) and the in-memory store (dedupe.ts); a `dedupe.ttl` below the
 * deadline is accepted with a warning. What a duplicate is answered: delivery.test.ts.
 */
import { createHash } from 'node:crypto';
import { createReceiver, dedupeKey, type Logger, memoryDedupeStore, silentLogger } from '@im-callbacks/core';
import { MAX_REQUEST_ID_KEY } from '../src/dedupe.js';

const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('dedupeKey', () => {
  test('a RequestID is the key, whatever the command and body', () => {
    expect(dedupeKey('A.B', 'req-1', '{"x":1}')).toBe('req-1');
    expect(dedupeKey('C.D', 'req-1', '{"x":2}')).toBe('req-1');
  });

  test('without one (or an empty one): SHA-256 of command, newline, body', () => {
    const key = dedupeKey('Group.CallbackAfterSendMsg', undefined, '{"MsgSeq":1}');
    expect(key).toBe(sha256('Group.CallbackAfterSendMsg\n{"MsgSeq":1}'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(dedupeKey('Group.CallbackAfterSendMsg', '', '{"MsgSeq":1}')).toBe(key);
  });

  test('the same body under another command, or another body, is another key; the same bytes the same key', () => {
    const key = dedupeKey('A.B', undefined, '{"x":1}');
    expect(dedupeKey('A.B', undefined, '{"x":1}')).toBe(key);
    expect(dedupeKey('A.C', undefined, '{"x":1}')).not.toBe(key);
    expect(dedupeKey('A.B', undefined, '{"x": 1}')).not.toBe(key);
    // The separator keeps command and body apart: "A.B" + "x" is not "A.Bx" + "".
    expect(dedupeKey('A.B', undefined, 'x')).not.toBe(dedupeKey('A.Bx', undefined, ''));
  });
});

describe('memoryDedupeStore', () => {
  const answer = { status: 200, body: OK };

  test('claim: the first caller gets undefined; a later one what the first left (nothing yet, then the answer)', () => {
    const store = memoryDedupeStore();
    expect(store.claim('k', 1000)).toBeUndefined();
    expect(store.claim('k', 1000)).toEqual({ answer: undefined });
    store.complete('k', answer, 1000);
    expect(store.claim('k', 1000)).toEqual({ answer });
  });

  test('release: the key is free again (a failed first copy is retried)', () => {
    const store = memoryDedupeStore();
    store.claim('k', 1000);
    store.release('k');
    expect(store.claim('k', 1000)).toBeUndefined();
    // Releasing an unknown key is harmless.
    expect(() => store.release('nothing')).not.toThrow();
  });

  test('a pending claim lasts pendingTtl; a completed answer lasts ttl', () => {
    let now = 0;
    const store = memoryDedupeStore({ now: () => now });
    store.claim('pending', 100);
    now = 99;
    expect(store.claim('pending', 100)).toEqual({ answer: undefined });
    now = 100;
    // Expired: claimed afresh (and pending again until 200).
    expect(store.claim('pending', 100)).toBeUndefined();
    store.complete('done', answer, 1000);
    now = 1099;
    expect(store.claim('done', 100)).toEqual({ answer });
    now = 1100;
    expect(store.claim('done', 100)).toBeUndefined();
  });

  // Moved from test/conformance/scale-out.test.ts.
  test('the memory store forgets the least recently used key first, and keys past their TTL', () => {
    let now = 0;
    const store = memoryDedupeStore({ max: 2, now: () => now });
    expect(store.claim('a', 100)).toBeUndefined();
    store.complete('a', answer, 1000);
    expect(store.claim('b', 100)).toBeUndefined();
    expect(store.claim('a', 100)).toEqual({ answer });
    expect(store.claim('c', 100)).toBeUndefined(); // drops b, the least recently used
    expect(store.claim('b', 100)).toBeUndefined();
    now = 2000;
    expect(store.claim('a', 100)).toBeUndefined();
  });

  test('completing a key counts as a use (it moves to the most recently used end)', () => {
    const store = memoryDedupeStore({ max: 2 });
    store.claim('a', 1000);
    store.claim('b', 1000);
    store.complete('a', answer, 1000);
    store.claim('c', 1000); // drops b, not a
    expect(store.claim('a', 1000)).toEqual({ answer });
    expect(store.claim('b', 1000)).toBeUndefined();
  });

  test('max must be a positive integer', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) {
      expect(() => memoryDedupeStore({ max })).toThrow(/max must be a positive integer/);
    }
    expect(() => memoryDedupeStore({ max: 1 })).not.toThrow();
  });
});

test('a RequestID up to 128 characters is its own key; a longer one is hashed, the same way each time', () => {
  const short = 'r'.repeat(MAX_REQUEST_ID_KEY);
  expect(dedupeKey('C', short, '{}')).toBe(short);
  const long = 'r'.repeat(15_000);
  const key = dedupeKey('C', long, '{}');
  expect(key).toMatch(/^requestid-sha256:[0-9a-f]{64}$/);
  expect(dedupeKey('D', long, '{"other":1}')).toBe(key);
  expect(dedupeKey('C', `${long}x`, '{}')).not.toBe(key);
});

test('dedupe.ttl below the deadline: accepted, with a warning naming both', () => {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (line: string) => warnings.push(line) };
  createReceiver({ sdkAppId: 1400000000, token: 't', logger, deadline: 1500, dedupe: { ttl: 1000 } });
  expect(warnings).toEqual([expect.stringMatching(/dedupe\.ttl \(1000 ms\) is shorter than the deadline \(1500 ms\)/)]);
  warnings.length = 0;
  createReceiver({ sdkAppId: 1400000000, token: 't', logger, dedupe: { ttl: 600_000 } });
  expect(warnings).toEqual([]);
});
