/**
 * `failedJobs(queue)` with a real redis-server: a handed-off callback whose handler fails ends in
 * BullMQ's failed set; the inspector lists it (error, body) and, after the fix, its retry runs it
 * again in the worker, and it leaves the failed set.
 */
import { bullmqHandoff, createCallbackWorker, failedJobs } from '@im-callbacks/bullmq';
import { createReceiver, silentLogger } from '@im-callbacks/core';
import { createInspector } from '@im-callbacks/inspector';
import { buildRequest, sample } from '@im-callbacks/testing';
import { Queue, type Worker } from 'bullmq';
import { describeWithRedis, type RedisServer, startRedis } from './redis.js';

const APP = 1400000000;
const AFTER = 'Group.CallbackAfterSendMsg';

describeWithRedis('failedJobs(queue) in the inspector', () => {
  let redis: RedisServer;
  let queue: Queue;
  let worker: Worker;
  let fixed = false;
  const ran: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    queue = new Queue('im-failed-test', { connection });
    const handlers = createReceiver({ sdkAppId: APP, logger: silentLogger });
    handlers.on(AFTER, (event) => {
      ran.push(event.payload.GroupId);
      if (!fixed) throw new Error('handler bug');
    });
    worker = createCallbackWorker({ queueName: 'im-failed-test', connection, receiver: handlers });
  }, 30_000);

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await redis?.close();
  });

  test('a failed job is listed with its error and body, and retried after the fix', async () => {
    const web = createReceiver({ sdkAppId: APP, logger: silentLogger, handoff: bullmqHandoff(queue, { attempts: 1 }) });
    const inspector = createInspector({ failed: [failedJobs(queue)] });
    try {
      const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, extraQuery: { RequestID: 'to-fail' } });
      expect((await web.handle({ query: built.query, body: built.body })).status).toBe(200);
      const api = async (path: string, init: RequestInit = {}) =>
        (
          await inspector.fetch(new Request(`http://127.0.0.1/im/inspector/${path}`, init), { address: '127.0.0.1' })
        ).json();
      let listed: { name: string; jobs: { id: string; error?: string; body?: string; command?: string }[] }[] = [];
      for (let tries = 0; tries < 100 && (listed[0]?.jobs.length ?? 0) === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        listed = await api('api/failed');
      }
      expect(listed).toEqual([
        {
          index: 0,
          name: 'bullmq im-failed-test',
          jobs: [
            expect.objectContaining({
              id: 'im-to-fail',
              command: AFTER,
              requestId: 'to-fail',
              error: expect.stringContaining('handler for Group.CallbackAfterSendMsg failed'),
              body: JSON.stringify(sample(AFTER)),
              attempts: 1,
            }),
          ],
        },
      ]);
      fixed = true;
      const retried = await api('api/failed/0/im-to-fail/retry', {
        method: 'POST',
        headers: { 'x-im-inspector': '1' },
      });
      expect(retried).toEqual({ retried: 'im-to-fail' });
      for (let tries = 0; tries < 100 && ran.length < 2; tries++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ran).toEqual([sample(AFTER).GroupId, sample(AFTER).GroupId]);
      for (let tries = 0; tries < 100 && listed[0]?.jobs.length !== 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        listed = await api('api/failed');
      }
      expect(listed[0]?.jobs).toEqual([]);
      const missing = await inspector.fetch(
        new Request('http://127.0.0.1/im/inspector/api/failed/0/nope/retry', {
          method: 'POST',
          headers: { 'x-im-inspector': '1' },
        }),
        { address: '127.0.0.1' },
      );
      expect([missing.status, await missing.json()]).toEqual([409, { error: 'no job nope in im-failed-test' }]);
    } finally {
      await inspector.close();
    }
  });
});
