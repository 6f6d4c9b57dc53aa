/**
 * The receiver's `handoff` and `dedupe` options over real HTTP, against every adapter and framework
 * major (the conformance targets): after-callbacks acknowledged once handed off and not run here,
 * a failed or late handoff answered 503, before-callbacks never handed off, and a re-sent callback
 * answered like its first copy without running again (in flight or answered; a 5xx first copy
 * frees it). The same with Redis and BullMQ: packages/bullmq/test/redis.test.ts. Without HTTP:
 * packages/core/test/delivery.test.ts and dedupe.test.ts.
 */
import { dedupeKey, type HandedOffEvent, reject } from '@im-callbacks/core';
import { buildRequest, sample } from '@im-callbacks/testing';
import request from 'supertest';
import { AFTER, APP, appsOf, BEFORE, OK } from './apps';
import type { RunningTarget } from './target';
import { targets } from './targets';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function post(app: RunningTarget, command: string, payload: unknown, requestId?: string) {
  const built = buildRequest(command, payload, {
    sdkAppId: APP,
    ...(requestId === undefined ? {} : { extraQuery: { RequestID: requestId } }),
  });
  return request(app.url).post(`?${built.query}`).send(Buffer.from(built.body));
}

/** A handoff that records what it was given; `behaviour` decides how `enqueue` ends. */
function recordingHandoff(behaviour: 'ok' | 'fail' | 'hang' = 'ok') {
  const taken: HandedOffEvent[] = [];
  return {
    taken,
    handoff: {
      enqueue(event: HandedOffEvent): Promise<void> {
        if (behaviour === 'fail') return Promise.reject(new Error('queue unavailable'));
        if (behaviour === 'hang') return new Promise(() => {});
        // Through JSON, as a queue stores it: the event must survive that.
        taken.push(JSON.parse(JSON.stringify(event)) as HandedOffEvent);
        return Promise.resolve();
      },
    },
  };
}

describe.each(targets)('$name: handoff and dedupe', (target) => {
  const start = appsOf(target);

  test('handoff: an after-callback is acknowledged once enqueued, as JSON with its key, and not run here', async () => {
    const { taken, handoff } = recordingHandoff();
    const app = await start({ handoff });
    const ran: string[] = [];
    app.im.on(AFTER, () => ran.push('handler'));
    app.im.onAny(() => ran.push('onAny'));
    const payload = sample(AFTER);
    const res = await post(app, AFTER, payload, 'req-1');
    expect(res.status).toBe(200);
    expect(res.text).toBe(OK);
    expect(ran).toEqual([]);
    expect(taken).toEqual([
      expect.objectContaining({ key: 'req-1', command: AFTER, kind: 'after', raw: payload, sdkAppId: APP }),
    ]);
    expect(taken[0]?.query).toMatchObject({ CallbackCommand: AFTER, RequestID: 'req-1' });
    // Unknown commands are handed off too; without a RequestID the key is the body's hash.
    const unknown = { CallbackCommand: 'Group.CallbackSomethingNew', GroupId: '@TGS#1' };
    expect((await post(app, 'Group.CallbackSomethingNew', unknown)).status).toBe(200);
    expect(taken[1]).toMatchObject({
      kind: 'unknown',
      key: dedupeKey('Group.CallbackSomethingNew', undefined, JSON.stringify(unknown)),
    });
  });

  test('handoff failed or past the deadline: 503 FAIL, HANDOFF_FAILED with the raw payload', async () => {
    for (const behaviour of ['fail', 'hang'] as const) {
      const app = await start({ handoff: recordingHandoff(behaviour).handoff, deadline: 100 });
      const payload = sample(AFTER);
      const res = await post(app, AFTER, payload);
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toEqual({
        ActionStatus: 'FAIL',
        ErrorInfo: 'HANDOFF_FAILED: internal failure',
        ErrorCode: 1,
      });
      expect(app.errors).toEqual([
        expect.objectContaining({ code: 'HANDOFF_FAILED', status: 503, payload, command: AFTER }),
      ]);
      expect(app.errors[0]?.message).toMatch(behaviour === 'fail' ? /queue unavailable/ : /within \d+ ms/);
    }
  });

  test('handoff: a before-callback is decided here, never handed off', async () => {
    const { taken, handoff } = recordingHandoff();
    const app = await start({ handoff });
    app.im.on(BEFORE, () => reject(10100, 'no'));
    const res = await post(app, BEFORE, sample(BEFORE));
    expect(JSON.parse(res.text)).toEqual({ ActionStatus: 'OK', ErrorInfo: 'no', ErrorCode: 10100 });
    expect(taken).toEqual([]);
  });

  test('dedupe: a re-sent callback gets the first answer and is not run again; distinct ones run', async () => {
    const app = await start({ dedupe: { ttl: 60_000 } });
    const ran: (number | undefined)[] = [];
    app.im.on(AFTER, (event) => {
      ran.push(event.payload.MsgSeq);
    });
    let decisions = 0;
    app.im.on(BEFORE, () => {
      decisions++;
      return reject(10100, 'no');
    });
    const first = { ...sample(AFTER), MsgSeq: 1 };
    const second = { ...sample(AFTER), MsgSeq: 2 };
    for (const payload of [first, first, second, first]) expect((await post(app, AFTER, payload)).text).toBe(OK);
    expect(ran).toEqual([1, 2]);
    // Keyed by RequestID when there is one: the same id is a duplicate whatever the body.
    await post(app, AFTER, { ...sample(AFTER), MsgSeq: 3 }, 'same-id');
    await post(app, AFTER, { ...sample(AFTER), MsgSeq: 4 }, 'same-id');
    expect(ran).toEqual([1, 2, 3]);
    // A before-callback's duplicate gets the same decision.
    const replies = [await post(app, BEFORE, sample(BEFORE)), await post(app, BEFORE, sample(BEFORE))];
    expect(replies.map((res) => JSON.parse(res.text))).toEqual(
      new Array(2).fill({ ActionStatus: 'OK', ErrorInfo: 'no', ErrorCode: 10100 }),
    );
    expect(decisions).toBe(1);
    expect(app.errors).toEqual([]);
  });

  test('dedupe: a duplicate arriving while the first is in flight waits for its answer; a failed first copy frees it for the retry', async () => {
    const app = await start({ dedupe: { ttl: 60_000 } });
    let runs = 0;
    app.im.on(AFTER, async (event) => {
      runs++;
      await sleep(150);
      if (event.payload.From_Account === 'flaky' && runs === 2) throw new Error('first run fails');
    });
    const payload = sample(AFTER);
    const [a, b] = await Promise.all([post(app, AFTER, payload), sleep(30).then(() => post(app, AFTER, payload))]);
    // The duplicate waited for the first copy's answer and shared it; the handler ran once.
    expect([a.text, b.text]).toEqual([OK, OK]);
    expect(runs).toBe(1);
    // A first copy that fails (500) frees the key: the duplicate waiting for it runs, and its answer is kept.
    const flaky = { ...sample(AFTER), From_Account: 'flaky' };
    const [c, d] = await Promise.all([post(app, AFTER, flaky), sleep(30).then(() => post(app, AFTER, flaky))]);
    expect([c.status, d.status]).toEqual([500, 200]);
    expect(runs).toBe(3);
    expect((await post(app, AFTER, flaky)).text).toBe(OK);
    expect(runs).toBe(3);
  });
});
