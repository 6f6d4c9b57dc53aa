/** The package's checks up front, and the job id it derives from a key (no Redis needed). */
import { bullmqHandoff, createCallbackWorker, jobIdOf, redisDedupeStore } from '@im-callbacks/bullmq';
import { createReceiver, type HandedOffEvent, silentLogger } from '@im-callbacks/core';
import type { Queue } from 'bullmq';

const connection = { host: '127.0.0.1', port: 1 };

test('job ids: the key when BullMQ takes it as an id, else its SHA-256; never a bare number', () => {
  expect(jobIdOf('6b1f9a2e-1d3c-4f5a-9b8c-7d6e5f4a3b2c')).toBe('im-6b1f9a2e-1d3c-4f5a-9b8c-7d6e5f4a3b2c');
  expect(jobIdOf('12345')).toBe('im-12345');
  expect(jobIdOf('a:b')).toMatch(/^im-sha256-[0-9a-f]{64}$/);
  expect(jobIdOf('a:b')).not.toBe(jobIdOf('a:c'));
});

test('bullmqHandoff adds one job per event, named by its command, with its key as id and the retry defaults', async () => {
  const added: unknown[][] = [];
  const queue = { add: async (...args: unknown[]) => void added.push(args) } as unknown as Queue;
  const event = { key: 'k-1', command: 'Group.CallbackAfterSendMsg' } as HandedOffEvent;
  await bullmqHandoff(queue).enqueue(event);
  await bullmqHandoff(queue, { attempts: 2 }).enqueue(event);
  expect(added).toEqual([
    [
      'Group.CallbackAfterSendMsg',
      event,
      {
        jobId: 'im-k-1',
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 86_400, count: 100_000 },
        removeOnFail: { age: 604_800 },
      },
    ],
    ['Group.CallbackAfterSendMsg', event, expect.objectContaining({ jobId: 'im-k-1', attempts: 2 })],
  ]);
});

test('bad arguments are refused with what to do', () => {
  const queue = { add: async () => {} } as unknown as Queue;
  expect(() => bullmqHandoff({} as Queue)).toThrow(/bullmqHandoff needs a BullMQ Queue/);
  expect(() => bullmqHandoff(queue, { atempts: 3 } as never)).toThrow(/unknown option "atempts"/);
  expect(() => bullmqHandoff(queue, { attempts: 0 })).toThrow(/attempts must be a positive integer/);
  expect(() => redisDedupeStore({} as never)).toThrow(/needs a Redis client/);
  const receiver = createReceiver({ sdkAppId: 1400000000, logger: silentLogger });
  expect(() => createCallbackWorker({ queueName: '', connection, receiver })).toThrow(/queueName must be a non-empty/);
  for (const option of [{ handoff: bullmqHandoff(queue) }, { dedupe: { ttl: 1000 } }]) {
    const web = createReceiver({ sdkAppId: 1400000000, logger: silentLogger, ...option });
    expect(() => createCallbackWorker({ queueName: 'q', connection, receiver: web, autorun: false })).toThrow(
      /the worker’s receiver must have neither handoff .* nor dedupe/,
    );
  }
});
