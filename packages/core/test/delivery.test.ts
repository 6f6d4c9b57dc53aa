/**
 * Delivery (delivery.ts), without HTTP: a `Delivery` in front of a `CallbackEmitter`. With a
 * handoff, after-callbacks and unknown commands are handed off before the deadline (else 503); with
 * dedupe, a duplicate gets the first copy's answer, a 5xx frees the key, and a store that cannot say
 * answers 503 for after-callbacks while before-callbacks are decided anyway.
 */
import {
  createReceiver,
  type DedupeAnswer,
  type DedupeStore,
  dedupeKey,
  type HandedOffEvent,
  type ImCallbackError,
  type Logger,
  memoryDedupeStore,
  reject,
  silentLogger,
} from '@im-callbacks/core';
import { Delivery } from '../src/delivery.js';
import { CallbackEmitter } from '../src/emitter.js';
import type { Handoff } from '../src/handoff.js';
import { Registry } from '../src/registration.js';
import { Reporter } from '../src/report.js';
import {
  AFTER,
  APP,
  BEFORE,
  beforeMessage,
  request as buildRequestOf,
  callbackOf,
  groupMessage,
  recordingLogger,
  typed,
} from './fixtures.js';

const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Setup {
  handoff?: Handoff;
  dedupe?: { ttl: number; store: DedupeStore };
}

function setup(options: Setup = {}) {
  const reporter = new Reporter();
  const registry = new Registry(reporter);
  const errors: ImCallbackError[] = [];
  registry.onError((error) => void errors.push(error));
  const emitter = new CallbackEmitter(registry, reporter, 'allow', Date.now);
  const delivery = new Delivery(
    { handoff: options.handoff, dedupe: options.dedupe, now: Date.now, deadline: 1500 },
    emitter,
  );
  return { registry: typed(registry), delivery, errors };
}

function recordingHandoff(behaviour: 'ok' | 'fail' | 'throw' | 'hang' = 'ok') {
  const taken: HandedOffEvent[] = [];
  const handoff: Handoff = {
    enqueue(event) {
      if (behaviour === 'throw') throw new Error('queue unavailable');
      if (behaviour === 'fail') return Promise.reject(new Error('queue unavailable'));
      if (behaviour === 'hang') return new Promise(() => {});
      taken.push(event);
      return Promise.resolve();
    },
  };
  return { taken, handoff };
}

/** A memory store that records the calls made to it. */
function spiedStore() {
  const store = memoryDedupeStore();
  const calls: string[] = [];
  const spied: DedupeStore = {
    claim: (key, ttl) => {
      calls.push(`claim ${key}`);
      return store.claim(key, ttl);
    },
    complete: (key, answer: DedupeAnswer, ttl) => {
      calls.push(`complete ${key} ${answer.status}`);
      return store.complete(key, answer, ttl);
    },
    release: (key) => {
      calls.push(`release ${key}`);
      return store.release(key);
    },
  };
  return { calls, store: spied };
}

const after = (options: { requestId?: string; text?: string; deadline?: number } = {}) =>
  callbackOf(AFTER, groupMessage(), options);
const before = (options: { requestId?: string; deadline?: number } = {}) =>
  callbackOf(BEFORE, beforeMessage(), options);

describe('neither handoff nor dedupe', () => {
  test('straight to the emitter (a synchronous answer stays synchronous)', () => {
    const { registry, delivery } = setup();
    const ran = jest.fn();
    registry.on(AFTER, ran);
    expect(delivery.deliver(after())).toMatchObject({ status: 200, body: OK });
    expect(ran).toHaveBeenCalledTimes(1);
  });
});

describe('handoff', () => {
  test('an after-callback: OK once enqueued, with its key (the RequestID), not run here', async () => {
    const { taken, handoff } = recordingHandoff();
    const { registry, delivery, errors } = setup({ handoff });
    const ran = jest.fn();
    registry.on(AFTER, ran);
    registry.onAny(ran);
    expect(await delivery.deliver(after({ requestId: 'req-1' }))).toMatchObject({ status: 200, body: OK });
    expect(ran).not.toHaveBeenCalled();
    expect(taken).toEqual([
      expect.objectContaining({ key: 'req-1', command: AFTER, kind: 'after', raw: groupMessage(), sdkAppId: APP }),
    ]);
    expect(errors).toEqual([]);
  });

  test('without a RequestID the key is the hash of the body text as read (else of the payload JSON)', async () => {
    const { taken, handoff } = recordingHandoff();
    const { delivery } = setup({ handoff });
    await delivery.deliver(after({ text: '{"as":"read"}' }));
    await delivery.deliver(after());
    expect(taken.map((event) => event.key)).toEqual([
      dedupeKey(AFTER, undefined, '{"as":"read"}'),
      dedupeKey(AFTER, undefined, JSON.stringify(groupMessage())),
    ]);
  });

  test('an unknown command is handed off too, as kind unknown', async () => {
    const { taken, handoff } = recordingHandoff();
    const { delivery } = setup({ handoff });
    expect(await delivery.deliver(callbackOf('Group.CallbackSomethingNew', { X: 1 }))).toMatchObject({ status: 200 });
    expect(taken).toEqual([expect.objectContaining({ command: 'Group.CallbackSomethingNew', kind: 'unknown' })]);
  });

  test.each([
    ['rejects', 'fail', /^handoff failed: queue unavailable$/],
    ['throws', 'throw', /^handoff failed: queue unavailable$/],
    ['misses the deadline', 'hang', /^handoff did not take the event within \d+ ms$/],
  ] as const)('enqueue %s: 503 FAIL, HANDOFF_FAILED with the raw payload', async (_name, behaviour, message) => {
    const { delivery, errors } = setup({ handoff: recordingHandoff(behaviour).handoff });
    const started = performance.now();
    const answer = await delivery.deliver(after({ deadline: 60 }));
    expect(performance.now() - started).toBeLessThan(500);
    expect(answer).toMatchObject({
      status: 503,
      body: '{"ActionStatus":"FAIL","ErrorInfo":"HANDOFF_FAILED: internal failure","ErrorCode":1}',
    });
    expect(errors.map((e) => [e.code, e.status, e.command])).toEqual([['HANDOFF_FAILED', 503, AFTER]]);
    expect(errors[0]?.payload).toEqual(groupMessage());
    expect(errors[0]?.message).toMatch(message);
  });

  test('a before-callback is decided here, never handed off', async () => {
    const { taken, handoff } = recordingHandoff();
    const { registry, delivery } = setup({ handoff });
    registry.on(BEFORE, () => reject(10100, 'no'));
    expect(await delivery.deliver(before())).toMatchObject({
      body: '{"ActionStatus":"OK","ErrorInfo":"no","ErrorCode":10100}',
    });
    expect(taken).toEqual([]);
  });
});

describe('dedupe', () => {
  test('a duplicate gets the first copy’s answer and is not dispatched; the key is completed with it', async () => {
    const { calls, store } = spiedStore();
    const { registry, delivery } = setup({ dedupe: { ttl: 60_000, store } });
    let decisions = 0;
    registry.on(BEFORE, () => {
      decisions++;
      return reject(10100, 'no');
    });
    const first = await delivery.deliver(before({ requestId: 'r-1' }));
    const second = await delivery.deliver(before({ requestId: 'r-1' }));
    expect(second).toEqual(first);
    expect(second.body).toBe('{"ActionStatus":"OK","ErrorInfo":"no","ErrorCode":10100}');
    expect(decisions).toBe(1);
    await sleep(0);
    expect(calls).toEqual(['claim r-1', 'complete r-1 200', 'claim r-1']);
  });

  test('a duplicate arriving while the first copy is in flight waits for its answer', async () => {
    const { registry, delivery } = setup({ dedupe: { ttl: 60_000, store: memoryDedupeStore() } });
    let runs = 0;
    registry.on(AFTER, async () => {
      runs++;
      await sleep(80);
    });
    const [a, b] = await Promise.all([
      delivery.deliver(after({ requestId: 'r' })),
      sleep(10).then(() => delivery.deliver(after({ requestId: 'r' }))),
    ]);
    expect([a.status, a.body, b.status, b.body]).toEqual([200, OK, 200, OK]);
    expect(runs).toBe(1);
  });

  test('a 5xx first answer frees the key: the retry runs again', async () => {
    const { calls, store } = spiedStore();
    const { registry, delivery } = setup({ dedupe: { ttl: 60_000, store } });
    let runs = 0;
    registry.on(AFTER, () => {
      runs++;
      if (runs === 1) throw new Error('first run fails');
    });
    expect((await delivery.deliver(after({ requestId: 'r' }))).status).toBe(500);
    await sleep(0);
    expect((await delivery.deliver(after({ requestId: 'r' }))).status).toBe(200);
    expect(runs).toBe(2);
    await sleep(0);
    expect(calls).toEqual(['claim r', 'release r', 'claim r', 'complete r 200']);
  });

  test('a store that fails: after-callbacks 503 DEDUPE_FAILED (not run); before-callbacks decided anyway (200)', async () => {
    const broken: DedupeStore = {
      claim: () => Promise.reject(new Error('store down')),
      complete: () => {},
      release: () => {},
    };
    const { registry, delivery, errors } = setup({ dedupe: { ttl: 1000, store: broken } });
    const ran = jest.fn();
    registry.on(AFTER, ran);
    registry.on(BEFORE, () => reject(10100, 'no'));
    expect(await delivery.deliver(after())).toMatchObject({
      status: 503,
      body: '{"ActionStatus":"FAIL","ErrorInfo":"DEDUPE_FAILED: internal failure","ErrorCode":1}',
    });
    expect(ran).not.toHaveBeenCalled();
    expect(await delivery.deliver(before())).toMatchObject({
      status: 200,
      body: '{"ActionStatus":"OK","ErrorInfo":"no","ErrorCode":10100}',
    });
    expect(errors.map((e) => [e.code, e.status, e.message])).toEqual([
      ['DEDUPE_FAILED', 503, 'dedupe store failed: store down'],
      ['DEDUPE_FAILED', 200, 'dedupe store failed: store down'],
    ]);
  });

  test('a store that does not answer by the deadline: DEDUPE_FAILED', async () => {
    const hanging: DedupeStore = { claim: () => new Promise(() => {}), complete: () => {}, release: () => {} };
    const { delivery, errors } = setup({ dedupe: { ttl: 1000, store: hanging } });
    expect((await delivery.deliver(after({ deadline: 40 }))).status).toBe(503);
    expect(errors.map((e) => e.code)).toEqual(['DEDUPE_FAILED']);
    expect(errors[0]?.message).toMatch(/^dedupe store did not answer within \d+ ms$/);
  });

  test('a store that cannot keep the answer: warned on the callback’s logger, the answer unchanged', async () => {
    const { lines, logger } = recordingLogger();
    const forgetful: DedupeStore = {
      claim: () => undefined,
      complete: () => Promise.reject(new Error('read only')),
      release: () => {},
    };
    const { delivery } = setup({ dedupe: { ttl: 1000, store: forgetful } });
    expect(await delivery.deliver(callbackOf(AFTER, groupMessage(), { requestId: 'r', logger }))).toMatchObject({
      status: 200,
      body: OK,
    });
    await sleep(0);
    expect(lines).toEqual([['warn', 'dedupe store could not keep r: read only']]);
  });

  test('with a handoff too: the first copy is handed off, its duplicate is not', async () => {
    const { taken, handoff } = recordingHandoff();
    const { delivery } = setup({ handoff, dedupe: { ttl: 1000, store: memoryDedupeStore() } });
    await delivery.deliver(after({ requestId: 'r' }));
    await delivery.deliver(after({ requestId: 'r' }));
    expect(taken.map((event) => event.key)).toEqual(['r']);
  });
});

// Moved from test/conformance/scale-out.test.ts ('handoff and dedupe without HTTP'): the same, through the receiver.
describe('through the receiver', () => {
  const AFTER_BODY = groupMessage();
  const BEFORE_BODY = beforeMessage();

  test('a duplicate is logged at debug level; with neither option nothing is de-duplicated', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const logger: Logger = { debug: (m) => log(`debug ${m}`), info: log, warn: log, error: log };
    const receiver = createReceiver({ sdkAppId: APP, logger, dedupe: { ttl: 60_000 } });
    const built = buildRequestOf(AFTER, AFTER_BODY);
    const query = `${built.query}&RequestID=r-9`;
    await receiver.handle({ query, body: built.body });
    await receiver.handle({ query, body: built.body });
    expect(lines.filter((line) => line.startsWith('debug duplicate'))).toEqual([
      `debug duplicate ${AFTER} r-9: answered as the first copy was, not dispatched`,
    ]);
    const plain = createReceiver({ sdkAppId: APP, logger: silentLogger });
    let ran = 0;
    plain.on(AFTER, () => {
      ran++;
    });
    await plain.handle({ query, body: built.body });
    await plain.handle({ query, body: built.body });
    expect(ran).toBe(2);
  });

  test('a store that fails: after-callbacks 503 DEDUPE_FAILED; before-callbacks decided anyway (200)', async () => {
    const broken: DedupeStore = {
      claim: () => Promise.reject(new Error('store down')),
      complete: () => {},
      release: () => {},
    };
    const receiver = createReceiver({ sdkAppId: APP, logger: silentLogger, dedupe: { ttl: 1000, store: broken } });
    const errors: ImCallbackError[] = [];
    receiver.onError((error) => errors.push(error));
    receiver.on(BEFORE, () => reject(10100, 'no'));
    const answered = await receiver.dispatch(AFTER, AFTER_BODY);
    expect(answered.status).toBe(503);
    const decided = await receiver.dispatch(BEFORE, BEFORE_BODY);
    expect(JSON.parse(decided.body)).toEqual({ ActionStatus: 'OK', ErrorInfo: 'no', ErrorCode: 10100 });
    expect(errors.map((error) => [error.code, error.status])).toEqual([
      ['DEDUPE_FAILED', 503],
      ['DEDUPE_FAILED', 200],
    ]);
  });

  test('a duplicate whose first copy is still in flight at the deadline: after-callbacks 503 DUPLICATE_IN_FLIGHT, before-callbacks the fallback', async () => {
    const stuck: DedupeStore = { claim: () => ({}), complete: () => {}, release: () => {} };
    const receiver = createReceiver({
      sdkAppId: APP,
      logger: silentLogger,
      deadline: 100,
      dedupe: { ttl: 1000, store: stuck },
    });
    const errors: ImCallbackError[] = [];
    receiver.onError((error) => errors.push(error));
    let ran = 0;
    receiver.on(BEFORE, () => {
      ran++;
      return reject(10100, 'no');
    });
    const started = Date.now();
    const answered = await receiver.dispatch(AFTER, AFTER_BODY);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(answered.status).toBe(503);
    expect((await receiver.dispatch(BEFORE, BEFORE_BODY)).body).toBe(OK);
    expect(ran).toBe(0);
    expect(errors.map((error) => [error.code, error.status])).toEqual([
      ['DUPLICATE_IN_FLIGHT', 503],
      ['DUPLICATE_IN_FLIGHT', 200],
    ]);
  });
});
