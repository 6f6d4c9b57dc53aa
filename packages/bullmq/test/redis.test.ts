/**
 * The scale-out path end to end, with a real redis-server and real processes: two web processes
 * (Express, `bullmqHandoff` + `redisDedupeStore`) sharing Redis, one worker process
 * (`createCallbackWorker`), signed callbacks over HTTP. Counts what reached the handlers through
 * Redis (the worker counts each run of a handler there).
 */
import { join, resolve } from 'node:path';
import { freePort, type Running, start, stopAll, waitForOutput } from '@im-callbacks/test-helpers';
import { sample, send } from '@im-callbacks/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describeWithRedis, type RedisServer, startRedis } from './redis.js';

const ROOT = resolve(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const FIXTURES = join(__dirname, 'fixtures');
const SDKAPPID = 1400000000;
const TOKEN = 'redis-test-token';
const QUEUE = 'im-callbacks-test';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const DISTINCT = 2000;
const DUPLICATES = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const began = Date.now();
/** Progress on stderr, with the time since the file started (jest's console.log is buffered per test). */
const log = (line: string) => process.stderr.write(`[redis test +${Date.now() - began} ms] ${line}\n`);

/** A group message sent by `From_Account`, number `seq` (distinct seq: distinct bodies). */
function afterSend(seq: number, From_Account = 'jared') {
  return {
    ...sample('Group.CallbackAfterSendMsg'),
    GroupId: '@TGS#redis',
    MsgSeq: seq,
    Random: (seq * 7919) % 2 ** 32,
    From_Account,
  };
}

/** Runs `task` over `items`, `width` at a time. */
async function pool<T, R>(
  items: readonly T[],
  width: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T, index);
      }
    }),
  );
  return results;
}

describeWithRedis('@im-callbacks/bullmq with a real Redis, web and worker processes', () => {
  let redis: RedisServer;
  let client: Redis;
  let queue: Queue;
  const webs: { url: string; process: Running }[] = [];
  let worker: Running;
  const env = (extra: Record<string, string>) => ({ ...process.env, QUEUE, ...extra });

  async function startWeb(): Promise<{ url: string; process: Running }> {
    const port = await freePort();
    const web = start(TSX, [join(FIXTURES, 'web.ts')], {
      cwd: ROOT,
      env: env({ PORT: String(port), REDIS_PORT: String(redis.port) }),
    });
    await waitForOutput(web, /^listening$/m, 'web process', 30_000);
    return { url: `http://127.0.0.1:${port}/im/callback`, process: web };
  }

  async function startWorker(): Promise<Running> {
    const process_ = start(TSX, [join(FIXTURES, 'worker.ts')], {
      cwd: ROOT,
      env: env({ REDIS_PORT: String(redis.port) }),
    });
    await waitForOutput(process_, /^ready$/m, 'worker process', 30_000);
    return process_;
  }

  const post = (url: string, payload: unknown, requestId?: string, command = 'Group.CallbackAfterSendMsg') =>
    send(url, command, payload, {
      sdkAppId: SDKAPPID,
      token: TOKEN,
      ...(requestId === undefined ? {} : { extraQuery: { RequestID: requestId } }),
    });

  /** Handler runs per message id, as the worker counted them. */
  async function runs(): Promise<Map<string, number>> {
    const all = await client.hgetall('runs');
    return new Map(Object.entries(all).map(([id, count]) => [id, Number(count)]));
  }

  /** Waits until `done(runs)` holds, or fails after `timeout` ms with what was seen. */
  async function until(done: (seen: Map<string, number>) => boolean, what: string, timeout = 20_000) {
    const deadline = Date.now() + timeout;
    let seen = await runs();
    while (!done(seen)) {
      if (Date.now() > deadline) {
        const counts = await queue.getJobCounts();
        throw new Error(
          `${what}: not reached in ${timeout} ms (${seen.size} ids seen, jobs ${JSON.stringify(counts)}). Worker:\n${worker.output()}`,
        );
      }
      await sleep(100);
      seen = await runs();
    }
    return seen;
  }

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true, maxRetriesPerRequest: 3 });
    client.on('error', () => {});
    await client.connect();
    queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
    queue.on('error', () => {});
    webs.push(...(await Promise.all([startWeb(), startWeb()])));
    worker = await startWorker();
    log('redis, two web processes and a worker started');
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await queue?.close();
    await stopAll();
    await redis?.close();
  });

  test(`${DISTINCT} distinct callbacks and ${DUPLICATES} re-sent duplicates across two web processes, the worker killed (SIGKILL) and restarted midway: each distinct event runs, none is lost`, async () => {
    // Half the callbacks carry a RequestID (the key), half are keyed by the hash of their body.
    const callbacks = Array.from({ length: DISTINCT }, (_, i) => ({
      payload: afterSend(i + 1),
      requestId: i % 2 === 0 ? `req-${i + 1}-${Date.now()}` : undefined,
    }));
    // Every tenth callback is sent again, to the other web process, while the first copies are in flight.
    const sends = callbacks.flatMap((callback, i) =>
      i % 10 === 0
        ? [
            { ...callback, web: 0 },
            { ...callback, web: 1, duplicate: true },
          ]
        : [{ ...callback, web: i % 2 }],
    );
    expect(sends.length).toBe(DISTINCT + DUPLICATES);
    let answered = 0;
    let killedAt = -1;
    const started = Date.now();
    const replies = await pool(sends, 32, async ({ payload, requestId, web }) => {
      const result = await post((webs[web] as { url: string }).url, payload, requestId);
      answered++;
      if (answered === Math.floor(sends.length / 2) && killedAt < 0) {
        killedAt = answered;
        // The whole group: tsx runs the worker in a child process of its own.
        process.kill(-(worker.child.pid as number), 'SIGKILL');
        log(`worker killed after ${answered} answers`);
      }
      return result;
    });
    const sentIn = Date.now() - started;
    log(`sent ${sends.length} in ${sentIn} ms`);
    // Every callback was acknowledged (the handoff took it), duplicates included.
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(replies.every((reply) => JSON.stringify(reply.reply) === JSON.stringify(OK))).toBe(true);
    expect(killedAt).toBeGreaterThan(0);
    await worker.exited;
    worker = await startWorker();
    log('worker restarted');

    const seen = await until((map) => map.size >= DISTINCT, `all ${DISTINCT} acknowledged events handled`, 40_000);
    // Drained: the jobs the kill interrupted are taken back once their lock expires (2 s) and run again.
    const drainBy = Date.now() + 20_000;
    for (;;) {
      const counts = await queue.getJobCounts('completed', 'active', 'wait', 'delayed', 'failed', 'prioritized');
      const pending = ['active', 'wait', 'delayed', 'prioritized'].reduce(
        (sum, state) => sum + (counts[state] ?? 0),
        0,
      );
      if (counts.completed === DISTINCT && pending === 0) break;
      if (Date.now() > drainBy) throw new Error(`queue not drained: ${JSON.stringify(counts)}\n${worker.output()}`);
      await sleep(100);
    }
    log('queue drained');
    const final = await runs();
    const ids = [...final.keys()].filter((id) => id.startsWith('@TGS#redis#'));
    const ranTwice = [...final.values()].filter((count) => count > 1).length;
    const totalRuns = [...final.values()].reduce((sum, count) => sum + count, 0);
    const lost = callbacks.filter(({ payload }) => !final.has(`@TGS#redis#${payload.MsgSeq}`)).length;
    expect(seen.size).toBe(DISTINCT);
    expect(ids.length).toBe(DISTINCT);
    expect(lost).toBe(0);
    // A duplicate never ran: only the jobs the kill interrupted may run twice (at most the worker's concurrency).
    expect(ranTwice).toBeLessThanOrEqual(20);
    expect(totalRuns).toBe(DISTINCT + ranTwice);
    // Each duplicate got its first copy's answer from the store (a debug line in the web process that answered it).
    const fromStore = webs.reduce(
      (sum, { process: web }) => sum + (web.output().match(/^duplicate /gm) ?? []).length,
      0,
    );
    expect(fromStore).toBe(DUPLICATES);
    console.log(
      `redis scale-out: sent ${sends.length} (${DISTINCT} distinct + ${DUPLICATES} duplicates) in ${sentIn} ms; ` +
        `delivered ${ids.length} distinct, duplicates run 0 (${fromStore} answered from the Redis store), ` +
        `lost ${lost}, ran twice after the SIGKILL ${ranTwice} (total handler runs ${totalRuns})`,
    );
  }, 60_000);

  test('a handler that fails twice, then succeeds, is retried by BullMQ and succeeds; one that always fails ends in the failed set, reported', async () => {
    const flaky = afterSend(900_001, 'flaky');
    const broken = afterSend(900_002, 'broken');
    expect((await post((webs[0] as { url: string }).url, flaky)).status).toBe(200);
    expect((await post((webs[1] as { url: string }).url, broken)).status).toBe(200);
    const seen = await until(
      (map) => map.get('@TGS#redis#900001') === 3 && map.get('@TGS#redis#900002') === 3,
      'three attempts of each',
    );
    expect(seen.get('@TGS#redis#900001')).toBe(3);
    await waitForOutput(
      worker,
      /error HANDLER_FAILED 200 job \S+ \(Group\.CallbackAfterSendMsg\) failed 3 times and stays in the failed set/,
      'worker',
    );
    const failures =
      worker
        .output()
        .match(/error HANDLER_FAILED 500 handler for Group\.CallbackAfterSendMsg failed: flaky failure/g) ?? [];
    expect(failures.length).toBe(2);
    // Reported once, when it was final; each attempt's own failure went to onError too (status 500).
    expect(worker.output().match(/stays in the failed set/g)?.length).toBe(1);
    expect(worker.output().match(/handler for Group\.CallbackAfterSendMsg failed: broken handler/g)?.length).toBe(3);
    // The flaky job completed, the broken one stayed in the failed set.
    const failed = await queue.getFailed();
    expect(failed.map((job) => (job.data as { payload: { From_Account: string } }).payload.From_Account)).toEqual([
      'broken',
    ]);
    console.log(
      `redis retries: flaky handler retried ${(seen.get('@TGS#redis#900001') ?? 0) - 1} times and succeeded; broken job failed after 3 attempts`,
    );
  }, 30_000);

  test('before-callbacks are decided in the web process, never handed off', async () => {
    const message = { ...sample('Group.CallbackBeforeSendMsg'), From_Account: 'spammer' };
    const result = await post((webs[0] as { url: string }).url, message, undefined, 'Group.CallbackBeforeSendMsg');
    expect(result.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: 'refused by the web process', ErrorCode: 10100 });
  });

  test('Redis stopped: callbacks are answered 503 and reported, never acknowledged; once it is back they flow again, no restart', async () => {
    await redis.stop();
    const down = await pool(
      Array.from({ length: 10 }, (_, i) => afterSend(800_000 + i)),
      5,
      (payload, i) => post((webs[i % 2] as { url: string }).url, payload),
    );
    if (down.some((reply) => reply.status !== 503))
      log(`web output:\n${webs.map(({ process: web }) => web.output()).join('\n')}`);
    expect(down.map((reply) => reply.status)).toEqual(new Array(10).fill(503));
    for (const reply of down) expect((reply.reply as { ActionStatus: string }).ActionStatus).toBe('FAIL');
    const reported = webs.flatMap(
      ({ process: web }) => web.output().match(/^error (DEDUPE_FAILED|HANDOFF_FAILED) 503 .*/gm) ?? [],
    );
    expect(reported.length).toBeGreaterThanOrEqual(10);

    await redis.restart();
    // The clients reconnect by themselves (ioredis backs off up to 2 s): the first callbacks may still get 503.
    const back = Array.from({ length: 10 }, (_, i) => afterSend(810_000 + i));
    const deadline = Date.now() + 15_000;
    for (const [i, payload] of back.entries()) {
      for (;;) {
        const result = await post((webs[i % 2] as { url: string }).url, payload);
        if (result.status === 200) break;
        expect(result.status).toBe(503);
        if (Date.now() > deadline) throw new Error('callbacks did not flow again within 15 s of Redis coming back');
        await sleep(200);
      }
    }
    const seen = await until(
      (map) => back.every(({ MsgSeq }) => map.has(`@TGS#redis#${MsgSeq}`)),
      'the callbacks sent after Redis came back handled',
    );
    expect(back.filter(({ MsgSeq }) => !seen.has(`@TGS#redis#${MsgSeq}`))).toEqual([]);
    console.log(
      `redis outage: ${down.length} callbacks answered 503 and reported (${reported.length} reports), ${back.length} handled after Redis came back`,
    );
  }, 45_000);
});
