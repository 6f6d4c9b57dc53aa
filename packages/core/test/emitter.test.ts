/**
 * The emitter (emitter.ts), without HTTP or a receiver: a `Registry`, a `Reporter` and a
 * `CallbackEmitter` around a validated `Callback`. Before-callbacks: the first handler that returns
 * something decides, within the deadline, else the fallback; after-callbacks: acknowledged when every
 * handler settled (500 if one failed), or at the deadline while late ones run on.
 */
import { allow, discard, HandoffError, type ImCallbackError, reject } from '@im-callbacks/core';
import { CallbackEmitter } from '../src/emitter.js';
import type { CallbackResponse } from '../src/pipeline/reply.js';
import { Registry } from '../src/registration.js';
import { Reporter } from '../src/report.js';
import { AFTER, BEFORE, beforeMessage, callbackOf, groupMessage, typed } from './fixtures.js';

const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const REFUSED = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isPromise = (value: unknown): value is Promise<CallbackResponse> => value instanceof Promise;

function setup(fallback: 'allow' | 'reject' = 'allow') {
  const reporter = new Reporter();
  const registry = new Registry(reporter);
  const errors: ImCallbackError[] = [];
  registry.onError((error) => void errors.push(error));
  const emitter = new CallbackEmitter(registry, reporter, fallback, Date.now);
  return { registry: typed(registry), emitter, errors };
}

const before = (deadline?: number) => callbackOf(BEFORE, beforeMessage(), deadline === undefined ? {} : { deadline });
const after = (deadline?: number) => callbackOf(AFTER, groupMessage(), deadline === undefined ? {} : { deadline });

describe('before-callbacks', () => {
  test('no handler: the plain OK, synchronously', () => {
    const { emitter, errors } = setup();
    const answer = emitter.emit(before());
    expect(isPromise(answer)).toBe(false);
    expect(answer).toMatchObject({ status: 200, body: OK });
    expect(errors).toEqual([]);
  });

  test("a synchronous handler's decision is the answer, synchronously; the handler sees the typed event", () => {
    const { registry, emitter } = setup();
    const seen: unknown[] = [];
    registry.on(BEFORE, (event) => {
      seen.push([event.command, event.kind, event.payload.GroupId]);
      return reject(10100, 'no');
    });
    const answer = emitter.emit(before());
    expect(isPromise(answer)).toBe(false);
    expect(answer).toMatchObject({
      status: 200,
      body: '{"ActionStatus":"OK","ErrorInfo":"no","ErrorCode":10100}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(seen).toEqual([[BEFORE, 'before', '@TGS#2J4SZEAEL']]);
  });

  test('the first handler that returns something decides; the ones after it do not run', () => {
    const { registry, emitter } = setup();
    const calls: string[] = [];
    registry.on(BEFORE, () => void calls.push('first (nothing)'));
    registry.on(BEFORE, () => {
      calls.push('second (discard)');
      return discard();
    });
    registry.on(BEFORE, () => {
      calls.push('third');
      return reject();
    });
    expect(emitter.emit(before())).toMatchObject({ body: '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":2}' });
    expect(calls).toEqual(['first (nothing)', 'second (discard)']);
  });

  test('every handler returning nothing: allow', () => {
    const { registry, emitter } = setup('reject');
    registry.on(BEFORE, () => undefined);
    registry.on(BEFORE, () => undefined);
    expect(emitter.emit(before())).toMatchObject({ status: 200, body: OK });
  });

  test('an async chain: from the first promise on, the handlers run in turn until one decides', async () => {
    const { registry, emitter } = setup();
    const calls: string[] = [];
    registry.on(BEFORE, async () => {
      await sleep(5);
      calls.push('first (async, nothing)');
    });
    registry.on(BEFORE, () => {
      calls.push('second (sync, nothing)');
    });
    registry.on(BEFORE, async () => {
      calls.push('third (async, decides)');
      return allow({ CloudCustomData: 'checked' });
    });
    registry.on(BEFORE, () => {
      calls.push('fourth');
      return reject();
    });
    const answer = emitter.emit(before());
    expect(isPromise(answer)).toBe(true);
    // The chain waits for the first handler: nothing after it ran yet.
    expect(calls).toEqual([]);
    expect(await answer).toMatchObject({
      status: 200,
      body: '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"CloudCustomData":"checked"}',
    });
    expect(calls).toEqual(['first (async, nothing)', 'second (sync, nothing)', 'third (async, decides)']);
  });

  test('the deadline passes: the fallback (allow), HANDLER_TIMEOUT reported with the time that was left', async () => {
    const { registry, emitter, errors } = setup();
    registry.on(BEFORE, () => new Promise(() => {}));
    const started = performance.now();
    const answer = await emitter.emit(before(60));
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    expect(answer).toMatchObject({ status: 200, body: OK });
    expect(errors.map((e) => [e.code, e.status, e.command])).toEqual([['HANDLER_TIMEOUT', 200, BEFORE]]);
    expect(errors[0]?.message).toMatch(/^handler did not decide within (5\d|60) ms, fallback decision sent$/);
    expect(errors[0]?.payload).toEqual(beforeMessage());
  });

  test("the deadline counts from the callback's arrival: an overdue callback is answered at once", async () => {
    const { registry, emitter, errors } = setup('reject');
    registry.on(BEFORE, () => new Promise(() => {}));
    const late = callbackOf(BEFORE, beforeMessage(), { receivedAt: Date.now() - 10_000, deadline: 1500 });
    const started = performance.now();
    expect(await emitter.emit(late)).toMatchObject({ status: 200, body: REFUSED });
    expect(performance.now() - started).toBeLessThan(200);
    expect(errors.map((e) => e.code)).toEqual(['HANDLER_TIMEOUT']);
  });

  test.each([
    [
      'throws',
      () => {
        throw new Error('moderation down');
      },
    ],
    [
      'rejects',
      async () => {
        throw new Error('moderation down');
      },
    ],
  ])('a handler that %s: the fallback, HANDLER_FAILED (200) with its cause', async (_name, handler) => {
    for (const [fallback, body] of [
      ['allow', OK],
      ['reject', REFUSED],
    ] as const) {
      const { registry, emitter, errors } = setup(fallback);
      const next = jest.fn(() => discard());
      registry.on(BEFORE, handler);
      registry.on(BEFORE, next);
      expect(await emitter.emit(before())).toMatchObject({ status: 200, body });
      expect(next).not.toHaveBeenCalled();
      expect(errors.map((e) => [e.code, e.status, e.command, e.message])).toEqual([
        ['HANDLER_FAILED', 200, BEFORE, `handler for ${BEFORE} failed: moderation down`],
      ]);
      expect((errors[0]?.cause as Error | undefined)?.message).toBe('moderation down');
    }
  });

  test.each([
    ['a code outside the command range', () => reject(120001), /10100-10200/],
    ['a decision the command does not take', () => ({ kind: 'refuseOnly', accounts: ['x'] }), /./],
    ['not a decision at all', () => 42, /./],
  ])('%s: DECISION_INVALID, and the fallback', async (_name, handler, message) => {
    const { registry, emitter, errors } = setup('reject');
    registry.on(BEFORE, handler as never);
    expect(await emitter.emit(before())).toMatchObject({ status: 200, body: REFUSED });
    expect(errors.map((e) => [e.code, e.status, e.command])).toEqual([['DECISION_INVALID', 200, BEFORE]]);
    expect(errors[0]?.message).toMatch(/^Group.CallbackBeforeSendMsg decision could not be sent: /);
    expect(errors[0]?.message).toMatch(message);
  });

  test('onAny observers run, never decide, and their failures (sync or async) are reported', async () => {
    const { registry, emitter, errors } = setup();
    const observed: string[] = [];
    registry.onAny((event) => {
      observed.push(event.command);
      return reject(); // ignored: observers do not decide
    });
    registry.onAny(() => {
      throw new Error('observer broke');
    });
    registry.onAny(async () => {
      throw new Error('async observer broke');
    });
    expect(emitter.emit(before())).toMatchObject({ status: 200, body: OK });
    expect(observed).toEqual([BEFORE]);
    await sleep(0);
    expect(errors.map((e) => [e.code, e.status, e.message])).toEqual([
      ['HANDLER_FAILED', 200, `handler for ${BEFORE} failed: observer broke`],
      ['HANDLER_FAILED', 200, `handler for ${BEFORE} failed: async observer broke`],
    ]);
  });

  test("a handler that changes event.payload cannot change the reply's inputs", () => {
    const { registry, emitter } = setup();
    const command = 'Sns.CallbackPrevFriendAdd';
    registry.on(command, (event) => {
      (event.payload as { FriendItem: unknown[] }).FriendItem = [];
      return reject(38000);
    });
    const payload = {
      CallbackCommand: command,
      From_Account: 'id',
      FriendItem: [{ To_Account: 'id1' }, { To_Account: 'id2' }],
    };
    const answer = emitter.emit(callbackOf(command, payload)) as CallbackResponse;
    expect(JSON.parse(answer.body).ResultItem).toEqual([
      { To_Account: 'id1', ResultCode: 38000, ResultInfo: '' },
      { To_Account: 'id2', ResultCode: 38000, ResultInfo: '' },
    ]);
  });
});

describe('after-callbacks', () => {
  test('no handler: OK, synchronously', () => {
    const { emitter } = setup();
    const answer = emitter.emit(after());
    expect(isPromise(answer)).toBe(false);
    expect(answer).toMatchObject({ status: 200, body: OK });
  });

  test("synchronous handlers (the command's, then onAny): every one runs, answered OK synchronously", () => {
    const { registry, emitter } = setup();
    const calls: string[] = [];
    registry.onAny(() => void calls.push('any'));
    registry.on(AFTER, () => void calls.push('a'));
    registry.on(AFTER, () => {
      calls.push('b');
      return reject(); // an after-callback's return value means nothing
    });
    const answer = emitter.emit(after());
    expect(isPromise(answer)).toBe(false);
    expect(answer).toMatchObject({ status: 200, body: OK });
    expect(calls).toEqual(['a', 'b', 'any']);
  });

  test('a throwing handler: 500 FAIL, HANDLER_FAILED (500); the other handlers still run', () => {
    const { registry, emitter, errors } = setup();
    const calls: string[] = [];
    registry.on(AFTER, () => {
      throw new Error('database down: secret-dsn');
    });
    registry.on(AFTER, () => void calls.push('second'));
    registry.onAny(() => void calls.push('any'));
    const answer = emitter.emit(after());
    expect(answer).toMatchObject({
      status: 500,
      body: '{"ActionStatus":"FAIL","ErrorInfo":"HANDLER_FAILED: internal failure","ErrorCode":1}',
    });
    expect(calls).toEqual(['second', 'any']);
    expect(errors.map((e) => [e.code, e.status, e.command])).toEqual([['HANDLER_FAILED', 500, AFTER]]);
    expect((errors[0]?.cause as Error | undefined)?.message).toBe('database down: secret-dsn');
  });

  test('async handlers: answered once all settle; a rejection is a 500, reported once', async () => {
    const { registry, emitter, errors } = setup();
    let finished = 0;
    registry.on(AFTER, async () => {
      await sleep(20);
      finished++;
    });
    registry.onAny(async () => {
      await sleep(5);
      throw new Error('nope');
    });
    const answer = emitter.emit(after());
    expect(isPromise(answer)).toBe(true);
    expect(await answer).toMatchObject({ status: 500 });
    expect(finished).toBe(1);
    expect(errors.map((e) => [e.code, e.status, e.message])).toEqual([
      ['HANDLER_FAILED', 500, `handler for ${AFTER} failed: nope`],
    ]);
  });

  test('async handlers that all resolve: OK', async () => {
    const { registry, emitter, errors } = setup();
    registry.on(AFTER, async () => sleep(5));
    expect(await emitter.emit(after())).toMatchObject({ status: 200, body: OK });
    expect(errors).toEqual([]);
  });

  test('the deadline passes: OK at the deadline; late handlers keep running and their late failures are reported (200)', async () => {
    const { registry, emitter, errors } = setup();
    let finished = false;
    registry.on(AFTER, async () => {
      await sleep(150);
      finished = true;
    });
    registry.on(AFTER, async () => {
      await sleep(150);
      throw new Error('late');
    });
    const started = performance.now();
    const answer = await emitter.emit(after(50));
    expect(performance.now() - started).toBeLessThan(140);
    expect(answer).toMatchObject({ status: 200, body: OK });
    expect(finished).toBe(false);
    expect(errors).toEqual([]);
    await sleep(200);
    expect(finished).toBe(true);
    expect(errors.map((e) => [e.code, e.status, e.message])).toEqual([
      ['HANDLER_FAILED', 200, `handler for ${AFTER} failed: late`],
    ]);
  });

  test('a synchronous failure, then the deadline: 500, and the late failures are reported with that 500', async () => {
    const { registry, emitter, errors } = setup();
    registry.on(AFTER, () => {
      throw new Error('now');
    });
    registry.on(AFTER, async () => {
      await sleep(100);
      throw new Error('late');
    });
    expect(await emitter.emit(after(30))).toMatchObject({ status: 500 });
    await sleep(120);
    expect(errors.map((e) => [e.status, e.message])).toEqual([
      [500, `handler for ${AFTER} failed: now`],
      [500, `handler for ${AFTER} failed: late`],
    ]);
  });

  test('an unknown command (no spec) goes to onAny only, as an unknown event', () => {
    const { registry, emitter } = setup();
    const seen: unknown[] = [];
    registry.on(AFTER, () => void seen.push('on(AFTER)'));
    registry.onAny((event) => void seen.push([event.kind, event.command]));
    const unknown = callbackOf('Group.CallbackFromTheFuture', { X: 1 });
    expect(unknown.spec).toBeUndefined();
    expect(emitter.emit(unknown)).toMatchObject({ status: 200, body: OK });
    expect(seen).toEqual([['unknown', 'Group.CallbackFromTheFuture']]);
  });
});

describe('fallback() and report()', () => {
  test('fallback: the configured fallback decision as an answer', () => {
    const spec = before().spec!;
    expect(setup('allow').emitter.fallback(spec, [])).toMatchObject({ status: 200, body: OK });
    expect(setup('reject').emitter.fallback(spec, [])).toMatchObject({ status: 200, body: REFUSED });
  });

  test("report: the error goes to the reporter, with the callback's logger", () => {
    const { emitter, errors } = setup();
    const callback = before();
    const error = new HandoffError('handoff failed: queue unavailable');
    emitter.report(callback, error);
    expect(errors).toEqual([error]);
  });
});
