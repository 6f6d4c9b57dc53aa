/**
 * De-duplication under a failing store and hostile ids (issue 19, items 4, 6 and 7), over real HTTP
 * on every target (run concurrently: each waits on timers, not on the CPU):
 * - a store whose `claim` stalls 2 s: the first copy is answered 503 at the deadline, and the claim
 *   that lands late is released, so the IM backend's retry runs (it used to be held "in flight"
 *   and answered 503 DUPLICATE_IN_FLIGHT for the pending claim's whole 10 s);
 * - a `RequestID` of 8,000 characters is hashed into a bounded key, and still de-duplicates;
 * - a `dedupe.ttl` shorter than the handler's run: the claim stands until the deadline, so a
 *   duplicate waits for the first copy's answer instead of running the handler again.
 */
import {
  type DedupeStore,
  type ImCallbackError,
  memoryDedupeStore,
  type ReceiverOptions,
  silentLogger,
} from '@im-callbacks/core';
import { post } from '@im-callbacks/test-helpers';
import { buildRequest, sample } from '@im-callbacks/testing';
import type { RunningTarget } from '../conformance/target';
import { targets } from '../conformance/targets';

const APP = 1400000000;
const AFTER = 'Group.CallbackAfterSendMsg';
const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A memory store that records the keys it is asked about; its first `claim` lands only after `stallMs`. */
function recordingStore(stallMs = 0): DedupeStore & { keys: string[]; landed: Promise<void> } {
  const inner = memoryDedupeStore();
  const keys: string[] = [];
  let stalls = stallMs > 0 ? 1 : 0;
  let land = () => {};
  const landed = new Promise<void>((resolve) => {
    land = resolve;
  });
  return {
    keys,
    landed,
    async claim(key, pendingTtl) {
      keys.push(key);
      if (stalls > 0) {
        stalls--;
        // Like Redis frozen with the SET queued: the claim is applied when the store comes back.
        await sleep(stallMs);
        const record = inner.claim(key, pendingTtl);
        land();
        return record;
      }
      return inner.claim(key, pendingTtl);
    },
    complete: (key, answer, ttl) => inner.complete(key, answer, ttl),
    release: (key) => inner.release(key),
  };
}

const running: RunningTarget[] = [];
afterAll(async () => {
  await Promise.all(running.map((app) => app.close()));
});

async function start(
  target: (typeof targets)[number],
  options: Partial<ReceiverOptions>,
): Promise<RunningTarget & { errors: ImCallbackError[]; runs: () => number }> {
  const app = await target.start({ sdkAppId: APP, logger: silentLogger, ...options });
  running.push(app);
  const errors: ImCallbackError[] = [];
  app.im.onError((error: ImCallbackError) => errors.push(error));
  let runs = 0;
  app.im.on(AFTER, async () => {
    runs++;
    await sleep(200);
  });
  return Object.assign(app, { errors, runs: () => runs });
}

const withId = (requestId: string) => {
  const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
  return { query: `${built.query}&RequestID=${requestId}`, body: built.body };
};

describe('de-duplication, hostile stores and ids', () => {
  test.concurrent.each(targets.map((target) => [target.name, target] as const))(
    '%s: a claim stalled 2 s is released when it lands, so the retry runs',
    async (_name, target) => {
      const store = recordingStore(2000);
      const app = await start(target, { deadline: 300, dedupe: { ttl: 60_000, store } });
      const request = withId(`stall-${target.name.replaceAll(' ', '-')}`);
      const first = await post(app.url, request.query, request.body);
      expect(first.status).toBe(503);
      expect(JSON.parse(first.text).ErrorInfo).toMatch(/^DEDUPE_FAILED: /);
      // The store comes back at 2 s, with the first copy's claim applied; the IM backend retries after that.
      await store.landed;
      await sleep(50);
      const retry = await post(app.url, request.query, request.body);
      console.log(`${target.name}: retry after a 2 s store stall: ${retry.status} ${retry.text}`);
      expect([retry.status, retry.text]).toEqual([200, OK]);
      expect(app.runs()).toBe(1);
      expect(app.errors.map((error) => error.code)).toEqual(['DEDUPE_FAILED']);
    },
    15_000,
  );

  test.concurrent.each(targets.map((target) => [target.name, target] as const))(
    '%s: an 8,000-character RequestID is hashed into a bounded key, and still de-duplicates',
    async (_name, target) => {
      const store = recordingStore();
      const app = await start(target, { dedupe: { ttl: 60_000, store } });
      const request = withId(`${target.name.replaceAll(' ', '-')}-${'x'.repeat(8000)}`);
      const answers = [
        await post(app.url, request.query, request.body),
        await post(app.url, request.query, request.body),
      ];
      expect(answers.map((answer) => [answer.status, answer.text])).toEqual([
        [200, OK],
        [200, OK],
      ]);
      expect(app.runs()).toBe(1);
      expect(store.keys.map((key) => key.length <= 128)).toEqual([true, true]);
      expect(store.keys[0]).toBe(store.keys[1]);
    },
    15_000,
  );

  test.concurrent.each(targets.map((target) => [target.name, target] as const))(
    '%s: dedupe.ttl (50 ms) shorter than the handler (200 ms): a duplicate does not run it again',
    async (_name, target) => {
      const store = recordingStore();
      const app = await start(target, { deadline: 1000, dedupe: { ttl: 50, store } });
      const request = withId(`short-ttl-${target.name.replaceAll(' ', '-')}`);
      const first = post(app.url, request.query, request.body);
      await sleep(100);
      const duplicate = await post(app.url, request.query, request.body);
      expect([(await first).status, duplicate.status]).toEqual([200, 200]);
      expect(app.runs()).toBe(1);
    },
    15_000,
  );
});
