/**
 * `@im-callbacks/inspector`: see what the IM backend sent, and replay it. `createInspector()`
 * subscribes to the core's `im-callbacks:callback` tracing channel (so it sees every adapter, the
 * fetch handler, `dispatch` and several receivers at once), keeps the last callbacks in memory and,
 * optionally, in an NDJSON file, and serves a page over them wherever the app mounts `fetch` or
 * `node`. It is off until created, and exists only where it is mounted.
 */
import { randomUUID } from 'node:crypto';
import type { CallbackReceiver, CallbackResponse, FailedJob, FailedJobSource } from '@im-callbacks/core';
import { createFetch, createNode, type InspectorApi, summaryOf } from './http.js';
import { type CallbackRecord, curlOf, fixtureOf, payloadOf, unknownFields } from './record.js';
import { Recorder, type RecorderOptions } from './recorder.js';

/** A failed job as the page lists it, and where failed jobs wait for a retry (defined in core). */
export type { FailedJob, FailedJobSource } from '@im-callbacks/core';
export type { FileOptions } from './file.js';
export type { RecordSummary } from './http.js';
export { PAGE_BYTES } from './page.js';
export {
  type CallbackFixture,
  type CallbackRecord,
  curlOf,
  fixtureOf,
  type RecordedIssue,
  unknownFields,
} from './record.js';

type ReceiverLike = Pick<CallbackReceiver, 'dispatch' | 'options'> | { readonly receiver: CallbackReceiver };

export interface InspectorOptions extends RecorderOptions {
  /**
   * Who may open it. Without: loopback clients only. With: `Authorization: Bearer <token>`, or a
   * one-time `?token=<token>` that sets an HttpOnly cookie.
   */
  token?: string;
  /** The receiver(s) whose handlers "replay" runs a record through (by the record's SDKAppID); without, no replay. */
  receiver?: ReceiverLike | readonly ReceiverLike[];
  /** Failed jobs to show, each with a retry (`failedJobs(queue)` from `@im-callbacks/bullmq`). */
  failed?: readonly FailedJobSource[];
}

/** What a replay answered. */
export interface ReplayResult {
  /** The record replayed. */
  id: number;
  /** The `RequestID` the replay ran with (a fresh one: a de-duplication store must not swallow it). */
  requestId: string;
  status: number;
  answer: string;
}

export interface Inspector {
  /** The Web handler, bound: `(request, info?) => Promise<Response>` (`info`: the server's second argument, for the client address). */
  readonly fetch: (request: Request, info?: unknown) => Promise<Response>;
  /** The Node handler, bound: `(req, res)`. */
  readonly node: ReturnType<typeof createNode>;
  /** The records in memory, oldest first. */
  records(): readonly CallbackRecord[];
  /** Runs record `id`'s body through the receiver's handlers in this process (`receiver.dispatch`): a new record. */
  replay(id: number): Promise<ReplayResult>;
  /** Resolves once every finished callback is recorded and written to the file. */
  flush(): Promise<void>;
  /** Unsubscribes and flushes; the handlers keep serving what was recorded. */
  close(): Promise<void>;
}

const OPTION_NAMES = ['max', 'maxBytes', 'file', 'redact', 'warn', 'token', 'receiver', 'failed'];

function fail(message: string): never {
  throw new TypeError(`@im-callbacks/inspector: ${message}`);
}

function checkOptions(options: InspectorOptions): void {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  for (const key of Object.keys(options))
    if (!OPTION_NAMES.includes(key))
      fail(`unknown option ${JSON.stringify(key)}; the options are ${OPTION_NAMES.join(', ')}`);
  for (const name of ['max', 'maxBytes'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      fail(`option ${name} must be a positive integer`);
  }
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 8))
    fail('option token must be a string of at least 8 characters');
  if (options.redact !== undefined && typeof options.redact !== 'function') fail('option redact must be a function');
  const file = options.file;
  if (file !== undefined && typeof file !== 'string' && typeof file?.path !== 'string')
    fail('option file must be a path or { path, maxBytes?, keep? }');
  for (const source of options.failed ?? [])
    if (typeof source?.list !== 'function' || typeof source.retry !== 'function')
      fail('option failed must list sources with list() and retry(id) (failedJobs(queue) of @im-callbacks/bullmq)');
}

function receiversOf(option: InspectorOptions['receiver']): CallbackReceiver[] {
  if (option === undefined) return [];
  const list = (Array.isArray(option) ? option : [option]) as ReceiverLike[];
  return list.map((item) => {
    const receiver = ('dispatch' in item ? item : item.receiver) as CallbackReceiver;
    if (typeof receiver?.dispatch !== 'function')
      fail('option receiver must be a receiver or an adapter object carrying one');
    return receiver;
  });
}

/**
 * Creates an inspector: subscribes at once. Mount `inspector.node` (Express, Koa, Fastify) or
 * `inspector.fetch` (Hono, Bun, Deno) under a path of your app, e.g. `/im/inspector`.
 */
export function createInspector(options: InspectorOptions = {}): Inspector {
  checkOptions(options);
  const recorder = new Recorder(options);
  const receivers = receiversOf(options.receiver);
  const sources = options.failed ?? [];
  const receiverFor = (sdkAppId: number | undefined): CallbackReceiver | undefined =>
    receivers.find((receiver) => sdkAppId === undefined || receiver.options.sdkAppIds.has(String(sdkAppId)));

  const replay = async (id: number): Promise<ReplayResult> => {
    const record = recorder.get(id);
    if (record === undefined) throw new Error(`no record ${id} (the buffer keeps the last ${recorder.max})`);
    const payload = payloadOf(record);
    if (record.command === undefined || payload === undefined)
      throw new Error('this record has no JSON body to replay');
    const receiver = receiverFor(record.sdkAppId);
    if (receiver === undefined)
      throw new Error('no receiver to replay into: pass createInspector({ receiver }) for this SDKAppID');
    const requestId = `replay-${randomUUID()}`;
    recorder.expectReplay(id);
    let response: CallbackResponse;
    try {
      response = await receiver.dispatch(record.command, payload, {
        sdkAppId: record.sdkAppId ?? [...receiver.options.sdkAppIds][0],
        requestId,
        clientIp: record.query?.ClientIP,
        optPlatform: record.query?.OptPlatform,
        query: record.query,
        wait: true,
      });
    } finally {
      recorder.expectReplay(undefined);
    }
    return { id, requestId, status: response.status, answer: response.body };
  };

  const api: InspectorApi = {
    list: () => recorder.list(),
    detail(id) {
      const record = recorder.get(id);
      if (record === undefined) return undefined;
      const payload = payloadOf(record);
      const fixture = fixtureOf(record);
      return {
        ...record,
        summary: summaryOf(record),
        unknownFields: payload === undefined ? [] : unknownFields(record.command, payload),
        curl: record.body === undefined ? undefined : curlOf(record),
        fixture,
        replayable: fixture !== undefined && receiverFor(record.sdkAppId) !== undefined,
      };
    },
    replay,
    listen: (listener) => recorder.listen(listener),
    async failed() {
      return Promise.all(
        sources.map(async (source, index) => {
          try {
            return { index, name: source.name, jobs: (await source.list(50)).map((job) => redactJob(job)) };
          } catch (error) {
            return { index, name: source.name, jobs: [], error: (error as Error).message };
          }
        }),
      );
    },
    async retry(index, job) {
      const source = sources[index];
      if (source === undefined) throw new Error(`no failed-job source ${index}`);
      await source.retry(job);
      return { retried: job };
    },
  };

  /** A failed job's body goes through the same `redact` hook as a record's. */
  const redactJob = (job: FailedJob): FailedJob => {
    if (options.redact === undefined || job.body === undefined) return job;
    try {
      const redacted = options.redact({ id: 0, time: job.failedAt ?? '', command: job.command, body: job.body, ms: 0 });
      return { ...job, body: redacted?.body };
    } catch {
      return { ...job, body: undefined };
    }
  };

  const fetch = createFetch(api, options.token);
  const node = createNode(fetch);
  recorder.subscribe();
  return {
    fetch,
    node,
    records: () => recorder.list(),
    replay,
    flush: () => recorder.flush(),
    async close() {
      recorder.unsubscribe();
      await recorder.flush();
    },
  };
}
