/**
 * `receiver.close()`: new callbacks refused with 503 SHUTTING_DOWN, everything in flight waited for
 * (answers not sent yet, late after-handlers, a before-callback's chain after the fallback,
 * observers, a handoff past the deadline, de-duplication writes), abandoned work reported with its
 * payload; and `fetch(request, { waitUntil })` handing that same work to the host.
 */

import { PassThrough } from 'node:stream';
import {
  createReceiver,
  type DedupeStore,
  type ImCallbackError,
  memoryDedupeStore,
  silentLogger,
} from '@im-callbacks/core';
import { AFTER, BEFORE, beforeMessage, request as built, groupMessage } from './fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function receiverWith(options: Record<string, unknown> = {}) {
  const errors: ImCallbackError[] = [];
  const receiver = createReceiver({ sdkAppId: 1400000000, logger: silentLogger, ...options });
  receiver.onError((error) => {
    errors.push(error);
  });
  return { receiver, errors };
}

/** A distinct group message per `seq` (so abandoned payloads can be told apart). */
function message(seq: number) {
  return { ...groupMessage(), MsgSeq: seq };
}

function send(receiver: ReturnType<typeof createReceiver>, payload: Record<string, unknown>) {
  const { query, body } = built(String(payload.CallbackCommand), payload);
  return receiver.handle({ query, body });
}

describe('receiver.close()', () => {
  it('with nothing in flight resolves at once; from then on callbacks get 503 SHUTTING_DOWN (handle, fetch, dispatch)', async () => {
    const { receiver, errors } = receiverWith();
    const handled: unknown[] = [];
    receiver.on(AFTER, (event) => {
      handled.push(event);
    });
    expect(receiver.closing).toBe(false);
    await expect(receiver.close()).resolves.toEqual({ finished: 0, abandoned: 0 });
    expect(receiver.closing).toBe(true);

    const refused = await send(receiver, message(1));
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({
      ActionStatus: 'FAIL',
      ErrorInfo: 'SHUTTING_DOWN: receiver is shutting down, not taking callbacks',
      ErrorCode: 1,
    });
    const { query, body } = built(AFTER, message(2));
    const fetched = await receiver.fetch(new Request(`http://localhost/im?${query}`, { method: 'POST', body }));
    expect(fetched.status).toBe(503);
    const dispatched = await receiver.dispatch(AFTER, message(3));
    expect(dispatched.status).toBe(503);

    expect(handled).toEqual([]);
    expect(errors.map((error) => [error.code, error.status, error.name])).toEqual([
      ['SHUTTING_DOWN', 503, 'ShuttingDownError'],
      ['SHUTTING_DOWN', 503, 'ShuttingDownError'],
      ['SHUTTING_DOWN', 503, 'ShuttingDownError'],
    ]);
  });

  it('waits for after-handlers still running after their callback was answered at the deadline', async () => {
    const { receiver, errors } = receiverWith({ deadline: 30 });
    let finished = 0;
    receiver.on(AFTER, async () => {
      await sleep(250);
      finished++;
    });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => send(receiver, message(i))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(finished).toBe(0);

    const started = Date.now();
    await expect(receiver.close()).resolves.toEqual({ finished: 20, abandoned: 0 });
    expect(finished).toBe(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(errors).toEqual([]);
  });

  it('waits for callbacks not answered yet, and their handlers', async () => {
    const { receiver } = receiverWith({ deadline: 1_500 });
    let finished = false;
    receiver.on(AFTER, async () => {
      await sleep(100);
      finished = true;
    });
    const answer = send(receiver, message(1));
    const drained = await receiver.close();
    expect(finished).toBe(true);
    expect(drained).toEqual({ finished: 1, abandoned: 0 });
    await expect(answer).resolves.toMatchObject({ status: 200 });
  });

  it('waits for callbacks whose body is still arriving, read from a Node stream or a Web Request, and counts a body that fails as finished', async () => {
    const { receiver, errors } = receiverWith();
    const handled: number[] = [];
    receiver.on(AFTER, (event) => {
      handled.push(Number(event.payload.MsgSeq));
    });
    // A Node stream: the body comes 50 ms after close() is called.
    const node = built(AFTER, message(1));
    const stream = new PassThrough();
    const fromNode = receiver.handle({ query: node.query, body: stream });
    // A Web Request whose body comes 50 ms later too.
    const web = built(AFTER, message(2));
    let push: ((text: string) => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        };
      },
    });
    const fromWeb = receiver.fetch(
      new Request(`http://localhost/im?${web.query}`, { method: 'POST', body, duplex: 'half' } as RequestInit),
    );
    // A Node stream that is destroyed mid-body: refused, and that refusal ends it.
    const broken = new PassThrough();
    const fromBroken = receiver.handle({ query: built(AFTER, message(3)).query, body: broken });
    broken.write('{"Callback');
    const drained = receiver.close({ timeout: 2_000 });
    await sleep(50);
    stream.end(node.body);
    push?.(web.body);
    broken.destroy();
    expect(await drained).toEqual({ finished: 3, abandoned: 0 });
    expect(handled.sort()).toEqual([1, 2]);
    await expect(fromNode).resolves.toMatchObject({ status: 200 });
    expect((await fromWeb).status).toBe(200);
    await expect(fromBroken).resolves.toMatchObject({ status: 400 });
    expect(errors.map((error) => error.code)).toEqual(['BODY_READ_FAILED']);
  });

  it('gives up after `timeout`: each unfinished callback goes to onError as ABANDONED with its payload and its answer', async () => {
    const { receiver, errors } = receiverWith({ deadline: 20 });
    receiver.on(AFTER, () => sleep(1_000));
    await Promise.all([send(receiver, message(7)), send(receiver, message(8))]);

    const started = Date.now();
    await expect(receiver.close({ timeout: 100 })).resolves.toEqual({ finished: 0, abandoned: 2 });
    expect(Date.now() - started).toBeLessThan(900);
    const abandoned = errors.filter((error) => error.code === 'ABANDONED');
    expect(abandoned.map((error) => [error.name, error.status, error.command])).toEqual([
      ['AbandonedError', 200, AFTER],
      ['AbandonedError', 200, AFTER],
    ]);
    expect(abandoned.map((error) => (error.payload as { MsgSeq: number }).MsgSeq).sort()).toEqual([7, 8]);
    expect(abandoned[0]?.message).toMatch(/answered 200.*100 ms/);
  });

  it('is idempotent: every call returns the same drain, whatever its timeout', async () => {
    const { receiver, errors } = receiverWith({ deadline: 20 });
    receiver.on(AFTER, () => sleep(300));
    await send(receiver, message(1));
    const first = receiver.close({ timeout: 50 });
    const second = receiver.close({ timeout: 10_000 });
    expect(second).toBe(first);
    await expect(first).resolves.toEqual({ finished: 0, abandoned: 1 });
    expect(receiver.close()).toBe(first);
    expect(errors.filter((error) => error.code === 'ABANDONED')).toHaveLength(1);
  });

  it('refuses a timeout that is not a number of milliseconds', () => {
    const { receiver } = receiverWith();
    expect(() => receiver.close({ timeout: -1 })).toThrow(TypeError);
    expect(() => receiver.close({ timeout: Number.NaN })).toThrow(TypeError);
    expect(() => receiver.close({ timeout: '5' as unknown as number })).toThrow(TypeError);
    expect(receiver.closing).toBe(false);
  });

  it("waits for a before-callback's handler chain that runs on after the fallback, and for async onAny observers", async () => {
    const { receiver, errors } = receiverWith({ deadline: 30 });
    const done: string[] = [];
    receiver.on(BEFORE, async () => {
      await sleep(200);
      done.push('decider');
      return undefined;
    });
    receiver.onAny(async () => {
      await sleep(200);
      done.push('observer');
    });
    const answer = await send(receiver, beforeMessage());
    expect(answer.status).toBe(200);
    expect(errors.map((error) => error.code)).toEqual(['HANDLER_TIMEOUT']);
    await expect(receiver.close()).resolves.toEqual({ finished: 1, abandoned: 0 });
    expect(done.sort()).toEqual(['decider', 'observer']);
  });

  it('waits for a handoff whose enqueue outlived the deadline (answered 503), and reports it ABANDONED when it never lands', async () => {
    let land: (() => void) | undefined;
    const enqueued: string[] = [];
    const { receiver, errors } = receiverWith({
      deadline: 30,
      handoff: {
        enqueue: (event: { command: string }) =>
          new Promise<void>((resolve) => {
            land = () => {
              enqueued.push(event.command);
              resolve();
            };
          }),
      },
    });
    expect((await send(receiver, message(1))).status).toBe(503);
    const drain = receiver.close({ timeout: 5_000 });
    await sleep(50);
    land?.();
    await expect(drain).resolves.toEqual({ finished: 1, abandoned: 0 });
    expect(enqueued).toEqual([AFTER]);
    expect(errors.map((error) => error.code)).toEqual(['HANDOFF_FAILED']);

    const stuck = receiverWith({ deadline: 30, handoff: { enqueue: () => new Promise<void>(() => {}) } });
    expect((await send(stuck.receiver, message(2))).status).toBe(503);
    await expect(stuck.receiver.close({ timeout: 50 })).resolves.toEqual({ finished: 0, abandoned: 1 });
    const abandoned = stuck.errors.find((error) => error.code === 'ABANDONED');
    expect(abandoned?.status).toBe(503);
    expect(abandoned?.payload).toMatchObject({ MsgSeq: 2 });
  });

  it("waits for the de-duplication store's write of the first copy's answer", async () => {
    const memory = memoryDedupeStore();
    const completed: string[] = [];
    const store: DedupeStore = {
      claim: (key, ttl) => memory.claim(key, ttl),
      release: (key) => memory.release(key),
      complete: async (key, answer, ttl) => {
        await sleep(150);
        await memory.complete(key, answer, ttl);
        completed.push(key);
      },
    };
    const { receiver } = receiverWith({ dedupe: { ttl: 60_000, store } });
    receiver.on(AFTER, () => undefined);
    expect((await send(receiver, message(1))).status).toBe(200);
    expect(completed).toEqual([]);
    await expect(receiver.close()).resolves.toEqual({ finished: 1, abandoned: 0 });
    expect(completed).toHaveLength(1);
  });
});

describe('fetch(request, { waitUntil })', () => {
  function fetchRequest(payload: Record<string, unknown>) {
    const { query, body } = built(String(payload.CallbackCommand), payload);
    return new Request(`http://localhost/im/callback?${query}`, { method: 'POST', body });
  }

  it('answers at the deadline and hands every late handler to waitUntil; the promises resolve when the handlers end', async () => {
    const { receiver } = receiverWith({ deadline: 50 });
    let finished = 0;
    receiver.on(AFTER, async () => {
      await sleep(300);
      finished++;
    });
    receiver.onAny(async () => {
      await sleep(300);
      finished++;
    });
    const waited: Promise<unknown>[] = [];
    const started = Date.now();
    const response = await receiver.fetch(fetchRequest(message(1)), { waitUntil: (promise) => waited.push(promise) });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(250);
    expect(finished).toBe(0);
    // One promise for the callback's handlers (its own and onAny) still running at the deadline.
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(finished).toBe(2);
  });

  it('gives waitUntil nothing when nothing outlives the answer', async () => {
    const { receiver } = receiverWith({ deadline: 1_000 });
    receiver.on(AFTER, async () => {
      await sleep(10);
    });
    const waited: Promise<unknown>[] = [];
    const response = await receiver.fetch(fetchRequest(message(1)), { waitUntil: (promise) => waited.push(promise) });
    expect(response.status).toBe(200);
    expect(waited).toEqual([]);
  });

  it('hands over promises that never reject, even when the late handler fails (its error goes to onError)', async () => {
    const { receiver, errors } = receiverWith({ deadline: 20 });
    receiver.on(AFTER, async () => {
      await sleep(100);
      throw new Error('late failure');
    });
    const waited: Promise<unknown>[] = [];
    await receiver.fetch(fetchRequest(message(1)), { waitUntil: (promise) => waited.push(promise) });
    expect(waited).toHaveLength(1);
    await expect(waited[0]).resolves.toBeUndefined();
    expect(errors.map((error) => [error.code, error.status])).toEqual([['HANDLER_FAILED', 200]]);
  });

  it('a waitUntil that throws is logged and changes nothing', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (line: string) => warnings.push(line) };
    const { receiver } = receiverWith({ deadline: 20, logger });
    let finished = false;
    receiver.on(AFTER, async () => {
      await sleep(60);
      finished = true;
    });
    const response = await receiver.fetch(fetchRequest(message(1)), {
      waitUntil: () => {
        throw new Error('after() called outside a request scope');
      },
    });
    expect(response.status).toBe(200);
    expect(warnings.filter((line) => line.startsWith('waitUntil'))).toEqual([
      'waitUntil failed: after() called outside a request scope',
    ]);
    await receiver.close();
    expect(finished).toBe(true);
  });
});
