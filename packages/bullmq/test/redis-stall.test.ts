/**
 * `redisDedupeStore` with Redis frozen (SIGSTOP) for 2 s, over real HTTP on Express, Koa and Fastify
 * (issue 19, item 4): the first copy of a callback is answered 503 at the deadline; its claim, queued
 * on the connection, is applied when Redis resumes and is released at once, so the IM backend's retry
 * runs (it used to find the key "in flight" for the pending claim's 10 s: 503 DUPLICATE_IN_FLIGHT).
 */
import { type ImCallbackError, silentLogger } from '@im-callbacks/core';
import { post } from '@im-callbacks/test-helpers';
import { buildRequest, sample } from '@im-callbacks/testing';
import { Redis } from 'ioredis';
import type { RunningTarget } from '../../../test/conformance/target.js';
import { targets } from '../../../test/conformance/targets/index.js';
import { redisDedupeStore } from '../src/index.js';
import { describeWithRedis, type RedisServer, startRedis } from './redis.js';

const APP = 1400000000;
const AFTER = 'Group.CallbackAfterSendMsg';
const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const chosen = targets.filter((target) => ['express 5', 'koa 3', 'fastify 5'].includes(target.name));

describeWithRedis('redisDedupeStore with redis-server stopped (SIGSTOP) for 2 s', () => {
  let redis: RedisServer;
  let client: Redis;
  const apps: RunningTarget[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
    client.on('error', () => {});
    await client.connect();
  }, 30_000);

  afterAll(async () => {
    redis?.signal('SIGCONT');
    await Promise.all(apps.map((app) => app.close()));
    client?.disconnect();
    await redis?.close();
  });

  test('the first copy is answered 503 at the deadline; the retry after Redis resumes runs (200), once', async () => {
    const runs = new Map<string, number>();
    const errors = new Map<string, string[]>();
    for (const target of chosen) {
      const app = await target.start({
        sdkAppId: APP,
        logger: silentLogger,
        deadline: 300,
        dedupe: { ttl: 600_000, store: redisDedupeStore(client) },
      });
      apps.push(app);
      runs.set(target.name, 0);
      errors.set(target.name, []);
      app.im.on(AFTER, () => {
        runs.set(target.name, (runs.get(target.name) ?? 0) + 1);
      });
      app.im.onError((error: ImCallbackError) => errors.get(target.name)?.push(error.code));
    }
    const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
    const request = (name: string) => `${built.query}&RequestID=stall-${name.replaceAll(' ', '-')}-${Date.now()}`;
    const queries = chosen.map((target) => request(target.name));

    redis.signal('SIGSTOP');
    const stopped = Date.now();
    const first = await Promise.all(apps.map((app, i) => post(app.url, queries[i] as string, built.body)));
    expect(first.map((answer) => answer.status)).toEqual(chosen.map(() => 503));
    await sleep(2000 - (Date.now() - stopped));
    redis.signal('SIGCONT');
    // The queued claims are applied, answered and released.
    await client.ping();
    await sleep(100);

    const retry = await Promise.all(apps.map((app, i) => post(app.url, queries[i] as string, built.body)));
    console.log(
      `retry after a 2 s Redis stop: ${chosen.map((target, i) => `${target.name} ${retry[i]?.status}`).join(', ')}`,
    );
    expect(retry.map((answer) => [answer.status, answer.text])).toEqual(chosen.map(() => [200, OK]));
    expect([...runs.values()]).toEqual(chosen.map(() => 1));
    expect([...errors.values()]).toEqual(chosen.map(() => ['DEDUPE_FAILED']));
  }, 30_000);
});
