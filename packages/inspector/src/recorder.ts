/**
 * Owns the recording: the subscription to the `im-callbacks:callback` tracing channel, the ring
 * buffer of the last callbacks (capped in count and in bytes), the NDJSON file, the `redact` hook,
 * and the listeners (the page's live stream). On the answer's path a subscriber only notes the
 * finished context; records are built, redacted, stored and written on the next turn of the event
 * loop (`setImmediate`), so the answer never waits for them.
 */
import * as diagnostics from 'node:diagnostics_channel';
import { CALLBACK_CHANNEL, type CallbackTraceContext } from '@im-callbacks/core';
import { type FileOptions, NdjsonFile } from './file.js';
import { type CallbackRecord, recordOf, sizeOf } from './record.js';

export interface RecorderOptions {
  /** Callbacks kept in memory. Default 200. */
  max?: number;
  /** Bytes kept in memory (approximate: the strings). Default 8 MiB. */
  maxBytes?: number;
  /** Also append every record to this NDJSON file (a path, or `{ path, maxBytes, keep }`). */
  file?: string | FileOptions;
  /**
   * Called with every record before it is kept, written or shown: return it (changed as you like:
   * message text is users' chat), or `null` to drop it.
   */
  redact?: (record: CallbackRecord) => CallbackRecord | null;
  /** Where a failing write is reported. Default `console.warn`. */
  warn?: (message: string) => void;
}

/** Where this recorder notes, on a trace's context, when it started and which record it replays (a symbol: no clash, no WeakMap). */
type Noted = CallbackTraceContext & { [STARTED]?: number; [REPLAY_OF]?: number };
const STARTED = Symbol('@im-callbacks/inspector:started');
const REPLAY_OF = Symbol('@im-callbacks/inspector:replayOf');

interface Finished {
  readonly context: CallbackTraceContext;
  readonly ms: number;
  readonly replayOf: number | undefined;
}

type Handlers = Parameters<diagnostics.TracingChannel<unknown, CallbackTraceContext>['subscribe']>[0];

export class Recorder {
  readonly max: number;
  readonly maxBytes: number;
  readonly file: NdjsonFile | undefined;
  readonly #redact: RecorderOptions['redact'];
  readonly #warn: (message: string) => void;
  #records: CallbackRecord[] = [];
  #sizes: number[] = [];
  #bytes = 0;
  #next = 1;
  #pending: Finished[] = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined = undefined;
  #replaying: number | undefined = undefined;
  #listeners = new Set<(record: CallbackRecord) => void>();
  #channel = diagnostics.tracingChannel<unknown, CallbackTraceContext>(CALLBACK_CHANNEL);
  #handlers: Handlers;
  #subscribed = false;

  constructor(options: RecorderOptions = {}) {
    this.max = options.max ?? 200;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.#redact = options.redact;
    this.#warn = options.warn ?? ((message) => console.warn(message));
    const file = typeof options.file === 'string' ? { path: options.file } : options.file;
    this.file = file === undefined ? undefined : new NdjsonFile(file, this.#warn);
    const finish = (context: Noted): void => {
      const started = context[STARTED];
      const ms = started === undefined ? (context.handlerDuration ?? 0) : performance.now() - started;
      this.#pending.push({ context, ms, replayOf: context[REPLAY_OF] });
      this.#scheduled ??= setImmediate(() => this.#drain());
    };
    this.#handlers = {
      start: (context: Noted) => {
        context[STARTED] = performance.now();
        if (this.#replaying !== undefined) {
          context[REPLAY_OF] = this.#replaying;
          this.#replaying = undefined;
        }
      },
      // `end` with a status: answered synchronously; without one, the answer comes with `asyncEnd`.
      end: (context) => {
        if (context.status !== undefined) finish(context);
      },
      asyncStart: () => {},
      asyncEnd: finish,
      error: () => {},
    };
  }

  subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    this.#channel.subscribe(this.#handlers);
  }

  unsubscribe(): void {
    if (!this.#subscribed) return;
    this.#subscribed = false;
    this.#channel.unsubscribe(this.#handlers);
  }

  /** The next trace to start (synchronously, inside `receiver.dispatch`) replays record `id`. */
  expectReplay(id: number | undefined): void {
    this.#replaying = id;
  }

  /** Records kept, oldest first. */
  list(): readonly CallbackRecord[] {
    return this.#records;
  }

  get(id: number): CallbackRecord | undefined {
    // Ids increase along the buffer: a binary search would do, 200 entries do not need one.
    return this.#records.find((record) => record.id === id);
  }

  /** Calls `listener` with each new record; returns the function that stops it. */
  listen(listener: (record: CallbackRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once every finished callback is recorded and written. */
  async flush(): Promise<void> {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#drain();
    }
    await this.file?.flush();
  }

  #drain(): void {
    this.#scheduled = undefined;
    const pending = this.#pending;
    this.#pending = [];
    for (const { context, ms, replayOf } of pending) {
      let record: CallbackRecord | null = recordOf(this.#next++, context, ms, replayOf);
      if (this.#redact !== undefined) {
        try {
          record = this.#redact(record);
        } catch (error) {
          // A hook that throws must not leak what it was meant to hide: the record is dropped.
          this.#warn(`@im-callbacks/inspector: redact threw, record dropped: ${(error as Error).message}`);
          record = null;
        }
      }
      if (record === null || record === undefined) continue;
      this.#keep(record);
      this.file?.append(record);
      for (const listener of this.#listeners) listener(record);
    }
  }

  #keep(record: CallbackRecord): void {
    const size = sizeOf(record);
    this.#records.push(record);
    this.#sizes.push(size);
    this.#bytes += size;
    while (this.#records.length > this.max || (this.#bytes > this.maxBytes && this.#records.length > 1)) {
      this.#records.shift();
      this.#bytes -= this.#sizes.shift() as number;
    }
  }
}
