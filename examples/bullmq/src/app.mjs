// The web process and the worker process of a scaled-out app, with the moderation example's
// handlers (examples/shared) registered on both: the web process decides before-callbacks and hands
// after-callbacks to BullMQ; workers run the after-callback handlers on each job. Duplicates are
// recognised on every instance through Redis.

import { bullmqHandoff, createCallbackWorker, redisDedupeStore } from '@im-callbacks/bullmq';
import { createReceiver } from '@im-callbacks/core';
import { listen, registerHandlers } from '@im-callbacks/example-shared';
import { imCallbacks } from '@im-callbacks/express';
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';

export const QUEUE_NAME = 'im-callbacks';

/** `redis://host:port` (or `{ host, port }`) as ioredis/BullMQ connection options. */
function connectionOf(redis) {
  if (typeof redis !== 'string') return redis;
  const url = new URL(redis);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

/** The web process: Express answering Tencent. Resolves with its URL, `close` and the receiver. */
export async function startWeb({ sdkAppId, token, redis, log = console.log, port = 0, host = '127.0.0.1' }) {
  // No offline queue: while Redis is away, callbacks are answered 503 at once (Tencent may retry).
  const connection = { ...connectionOf(redis), enableOfflineQueue: false };
  const queue = new Queue(QUEUE_NAME, { connection });
  queue.on('error', (error) => log(`queue        ${error.message}`));
  const client = new Redis({ ...connection, maxRetriesPerRequest: 1 });
  client.on('error', (error) => log(`redis        ${error.message}`));
  await queue.waitUntilReady();

  const receiver = createReceiver({
    sdkAppId,
    token,
    handoff: bullmqHandoff(queue),
    dedupe: { ttl: 10 * 60_000, store: redisDedupeStore(client) },
  });
  registerHandlers(receiver, log);

  const app = express();
  app.post('/im/callback', imCallbacks(receiver));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  const server = await listen(app, { port, host });
  return {
    ...server,
    receiver,
    async close() {
      await server.close();
      await queue.close();
      client.disconnect();
    },
  };
}

/** A worker process: the same handlers, run on each job. Resolves once it takes jobs, with `close`. */
export async function startWorker({ sdkAppId, token, redis, log = console.log, concurrency = 10 }) {
  // The token only keeps the receiver from warning that it is unauthenticated: a worker serves no HTTP.
  const receiver = createReceiver({ sdkAppId, token });
  registerHandlers(receiver, log);
  const worker = createCallbackWorker({
    queueName: QUEUE_NAME,
    connection: connectionOf(redis),
    receiver,
    concurrency,
  });
  worker.on('error', (error) => log(`worker       ${error.message}`));
  await worker.waitUntilReady();
  return { worker, receiver, close: () => worker.close() };
}

/** Both in one process (the demo and the test): the web process's URL, and `close` for both. */
export async function start({ redis, ...options }) {
  const worker = await startWorker({ redis, ...options });
  const web = await startWeb({ redis, ...options });
  return {
    ...web,
    async close() {
      await web.close();
      await worker.close();
    },
  };
}
