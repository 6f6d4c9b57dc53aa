/**
 * `@im-callbacks/bullmq`: after-callbacks handed durably to BullMQ (acknowledged only once the job
 * is in Redis), a worker that runs the receiver's typed handlers on each job (a failure fails the job
 * and BullMQ retries it), and a Redis store for de-duplication across instances. All delivery
 * behaviour is core's (`handoff`, `dedupe`); this package is the BullMQ and Redis translation.
 */
import { createHash } from 'node:crypto';
import {
  type CallbackReceiver,
  type DedupeAnswer,
  type DedupeRecord,
  type DedupeStore,
  type FailedJob,
  type FailedJobSource,
  type HandedOffEvent,
  HandlerError,
  type Handoff,
} from '@im-callbacks/core';
import { checkOptionNames } from '@im-callbacks/core/adapter';
import { type ConnectionOptions, type Job, type JobsOptions, type Queue, Worker, type WorkerOptions } from 'bullmq';

export type { DedupeStore, HandedOffEvent, Handoff } from '@im-callbacks/core';

/** Retry and retention of handed-off jobs (BullMQ's own job options). */
export interface BullmqHandoffOptions {
  /** Attempts per job, the first included. Default 5. */
  attempts?: number;
  /** Delay between attempts. Default exponential from 1 s (1, 2, 4, 8 s). */
  backoff?: JobsOptions['backoff'];
  /**
   * Completed jobs kept (their id blocks a duplicate from running again): default for 24 hours, at
   * most 100,000. Keep them at least as long as the IM backend may resend a callback.
   */
  removeOnComplete?: JobsOptions['removeOnComplete'];
  /** Failed jobs (attempts exhausted) kept for inspection and retry: default 7 days. */
  removeOnFail?: JobsOptions['removeOnFail'];
}

const HANDOFF_DEFAULTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const satisfies BullmqHandoffOptions;

/**
 * The job id of an event: its de-duplication key when BullMQ takes it as an id (no `:`, not an
 * integer), else its SHA-256. Prefixed, so no key is ever read as a number.
 */
export function jobIdOf(key: string): string {
  return /^[\w.-]{1,200}$/.test(key) ? `im-${key}` : `im-sha256-${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * The receiver's `handoff`: each after-callback (and unknown command) becomes a job of `queue`,
 * named by its command, whose id is the event's de-duplication key, so a duplicate is a no-op on
 * every instance. The callback is acknowledged once the job is stored; if Redis does not take it
 * before the deadline, the answer is 503 (`HANDOFF_FAILED`) and the IM backend may send it again.
 */
export function bullmqHandoff(queue: Queue, options: BullmqHandoffOptions = {}): Handoff {
  if (typeof (queue as Partial<Queue> | null)?.add !== 'function')
    throw new TypeError('im-callbacks: bullmqHandoff needs a BullMQ Queue');
  checkOptionNames(
    options,
    ['attempts', 'backoff', 'removeOnComplete', 'removeOnFail'],
    '',
    'im-callbacks: bullmqHandoff',
  );
  const jobOptions: JobsOptions = { ...HANDOFF_DEFAULTS, ...options };
  if (!Number.isInteger(jobOptions.attempts) || (jobOptions.attempts as number) < 1)
    throw new TypeError('im-callbacks: bullmqHandoff attempts must be a positive integer');
  return {
    async enqueue(event) {
      await queue.add(event.command, event, { ...jobOptions, jobId: jobIdOf(event.key) });
    },
  };
}

export interface CallbackWorkerOptions extends Omit<WorkerOptions, 'connection' | 'concurrency' | 'autorun'> {
  /** The queue `bullmqHandoff` adds to. */
  queueName: string;
  /** Redis connection options or client for the worker (BullMQ's `connection`). */
  connection: ConnectionOptions;
  /**
   * The receiver whose handlers run each job: the same `on(...)` code as in the web process, with
   * neither `handoff` nor `dedupe` (a job is already de-duplicated by its id). Its `onError` gets
   * every failed attempt (`HANDLER_FAILED`) and each job that exhausted its attempts.
   */
  receiver: CallbackReceiver;
  /** Jobs run at once. Default 1 (BullMQ's). */
  concurrency?: number;
  /** Start processing at once. Default true. */
  autorun?: boolean;
}

/** Thrown by a job whose handler failed, so BullMQ retries it; the handler's error went to `onError`. */
export class CallbackJobError extends Error {
  constructor(
    readonly command: string,
    readonly reply: string,
  ) {
    super(`handler for ${command} failed: ${reply}`);
    this.name = 'CallbackJobError';
  }
}

/**
 * A BullMQ `Worker` on `queueName` that re-validates each job's payload and dispatches it to the
 * receiver's handlers, waiting for all of them (no deadline: nobody is waiting for an answer). A
 * handler failure fails the job, and BullMQ retries it per the job's `attempts`/`backoff`; a job
 * that exhausted them stays in the failed set and is reported to `onError` (`HANDLER_FAILED`, status
 * 200: the callback was acknowledged when it was queued). Close it with `await worker.close()`.
 */
export function createCallbackWorker(options: CallbackWorkerOptions): Worker<HandedOffEvent> {
  const { queueName, connection, receiver, concurrency, autorun = true, ...rest } = options;
  if (typeof queueName !== 'string' || queueName === '')
    throw new TypeError('im-callbacks: createCallbackWorker queueName must be a non-empty string');
  if (typeof receiver?.dispatch !== 'function')
    throw new TypeError('im-callbacks: createCallbackWorker receiver must be a receiver (createReceiver)');
  if (receiver.options.handoff !== undefined || receiver.options.dedupe !== undefined) {
    throw new TypeError(
      'im-callbacks: the worker’s receiver must have neither handoff (it would queue each job again) nor dedupe (a retried job would be skipped as a duplicate)',
    );
  }
  const worker = new Worker<HandedOffEvent>(
    queueName,
    async (job: Job<HandedOffEvent>) => {
      const event = job.data;
      const response = await receiver.dispatch(event.command, event.raw, {
        sdkAppId: event.sdkAppId,
        clientIp: event.clientIp,
        optPlatform: event.optPlatform,
        requestTime: event.requestTime,
        requestId: event.requestId,
        query: event.query,
        wait: true,
      });
      if (response.status >= 500) throw new CallbackJobError(event.command, response.body);
    },
    { ...rest, connection, concurrency: concurrency ?? 1, autorun },
  );
  worker.on('failed', (job, failure) => {
    // Final when BullMQ moved it to the failed set (finishedOn), or, for versions that do not set it here, attempts are spent.
    if (job === undefined || !(job.finishedOn || job.attemptsMade >= (job.opts.attempts ?? 1))) return;
    const event = job.data;
    const error = new HandlerError(
      200,
      `job ${job.id} (${event?.command}) failed ${job.attemptsMade} times and stays in the failed set: ${failure.message}`,
      { command: event?.command, payload: event?.raw, requestId: event?.requestId, cause: failure },
    );
    receiver.report(error);
  });
  return worker;
}

/** A job of the failed set, as `@im-callbacks/inspector` lists it (core's `FailedJob`). */
export type FailedCallbackJob = FailedJob;

/** The failed set of a queue, for `createInspector({ failed: [failedJobs(queue)] })` (core's `FailedJobSource`). */
export type FailedJobs = FailedJobSource;

/**
 * The jobs of `queue` that exhausted their attempts (BullMQ's failed set), for the inspector page:
 * each shown with its error and body, and retried by its button. A `FailedJobSource` (core's), so
 * neither package depends on the other.
 */
export function failedJobs(queue: Queue): FailedJobs {
  if (typeof (queue as Partial<Queue> | null)?.getFailed !== 'function')
    throw new TypeError('im-callbacks: failedJobs needs a BullMQ Queue');
  return {
    name: `bullmq ${queue.name}`,
    async list(limit = 50) {
      const jobs = (await queue.getFailed(0, Math.max(0, limit - 1))) as (Job<HandedOffEvent> | undefined)[];
      return jobs
        .filter((job): job is Job<HandedOffEvent> => job !== undefined && job !== null)
        .map((job) => {
          let body: string | undefined;
          try {
            body = job.data?.raw === undefined ? undefined : JSON.stringify(job.data.raw);
          } catch {
            body = undefined;
          }
          return {
            id: String(job.id),
            command: job.data?.command,
            requestId: job.data?.requestId,
            body,
            error: job.failedReason,
            attempts: job.attemptsMade,
            failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn).toISOString(),
          };
        });
    },
    async retry(id) {
      const job = await queue.getJob(id);
      if (job === undefined || job === null) throw new Error(`no job ${id} in ${queue.name}`);
      await job.retry('failed');
    },
  };
}

/** What `redisDedupeStore` needs of a Redis client (an ioredis `Redis` or `Cluster`). */
export interface DedupeRedis {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<'OK'>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

/** An empty value marks a key whose first copy is still in flight. */
const IN_FLIGHT = '';

/**
 * The core de-duplication store on Redis, shared by every instance: the first copy claims the key
 * with `SET key "" PX <pending> NX` (atomic: exactly one instance wins), then stores its answer with
 * `SET key <answer> PX <ttl>`; a failed first copy deletes the key so a retry runs again.
 */
export function redisDedupeStore(redis: DedupeRedis, options: { prefix?: string } = {}): DedupeStore {
  if (typeof redis?.set !== 'function' || typeof redis.get !== 'function')
    throw new TypeError('im-callbacks: redisDedupeStore needs a Redis client (ioredis)');
  checkOptionNames(options, ['prefix'], '', 'im-callbacks: redisDedupeStore');
  const prefix = options.prefix ?? 'im-callbacks:dedupe:';
  return {
    async claim(key, pendingTtl): Promise<DedupeRecord | undefined> {
      if ((await redis.set(prefix + key, IN_FLIGHT, 'PX', pendingTtl, 'NX')) === 'OK') return undefined;
      const value = await redis.get(prefix + key);
      // Gone between the two commands (expired, released): still in flight for this caller, who asks again.
      if (value === null || value === IN_FLIGHT) return {};
      return { answer: JSON.parse(value) as DedupeAnswer };
    },
    async complete(key, answer, ttl) {
      await redis.set(prefix + key, JSON.stringify({ status: answer.status, body: answer.body }), 'PX', ttl);
    },
    async release(key) {
      await redis.del(prefix + key);
    },
  };
}
