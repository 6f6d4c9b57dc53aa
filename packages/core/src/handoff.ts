/**
 * Owns the handoff: the serialisable form of an event given to a queue, and the interface a
 * receiver's `handoff` option takes. With a handoff, after-callbacks and unknown commands are
 * acknowledged once `enqueue` resolves and run where the queue is consumed (`receiver.dispatch`).
 * Also the shape of a queue's failed set, as a queue package lists it and the inspector page shows
 * it (`FailedJob`, `FailedJobSource`), defined here so neither of those depends on the other.
 */
import type { AnyCallbackEvent } from './events.js';

/** An event as handed to a queue: plain JSON, everything `receiver.dispatch` needs to run it again. */
export interface HandedOffEvent {
  /** The de-duplication key (`RequestID`, or SHA-256 of command and body): use it as the job/message id. */
  readonly key: string;
  readonly command: string;
  readonly kind: 'after' | 'unknown';
  /** The validated payload (what handlers see). */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The body as parsed, before validation: what the consumer re-validates and dispatches. */
  readonly raw: unknown;
  readonly sdkAppId: number;
  readonly clientIp?: string | undefined;
  readonly optPlatform?: string | undefined;
  readonly requestTime?: number | undefined;
  readonly requestId?: string | undefined;
  /** Every query parameter by its original name. */
  readonly query: Readonly<Record<string, string>>;
}

/** The `handoff` option: something that durably takes an event, or rejects. */
export interface Handoff {
  /** Resolves once the event is stored durably (the callback is acknowledged then); rejects otherwise (answered 503). */
  enqueue(event: HandedOffEvent): Promise<void> | void;
}

export function handedOffEvent(event: AnyCallbackEvent, key: string): HandedOffEvent {
  return {
    key,
    command: event.command,
    kind: event.kind === 'unknown' ? 'unknown' : 'after',
    payload: event.payload as Readonly<Record<string, unknown>>,
    raw: event.raw,
    sdkAppId: event.sdkAppId,
    clientIp: event.clientIp,
    optPlatform: event.optPlatform,
    requestTime: event.requestTime,
    requestId: event.requestId,
    query: { ...event.query },
  };
}

/** A handed-off callback that exhausted its attempts, as a queue's failed set lists it. */
export interface FailedJob {
  id: string;
  command?: string | undefined;
  requestId?: string | undefined;
  /** The callback's body as received (the handed-off event's `raw`, as JSON). */
  body?: string | undefined;
  /** Why it failed. */
  error?: string | undefined;
  attempts?: number | undefined;
  /** When it failed for good, ISO 8601. */
  failedAt?: string | undefined;
}

/** A queue's failed set: `failedJobs(queue)` of `@im-callbacks/bullmq`, shown by the inspector page. */
export interface FailedJobSource {
  readonly name: string;
  list(limit?: number): Promise<FailedJob[]>;
  /** Moves the job back to waiting: the worker runs it again, after a fix. */
  retry(id: string): Promise<void>;
}
