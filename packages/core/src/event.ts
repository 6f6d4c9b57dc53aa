/**
 * Owns the event object handed to handlers: one class, so every event has one shape, whether it came
 * over HTTP or through `receiver.dispatch`; `query` is computed only when read.
 */
import type { AnyCallbackEvent } from './events.js';

/** Where an event came from: the query's context, or what `dispatch` was given. */
export interface EventOrigin {
  readonly sdkAppId: number;
  readonly clientIp?: string | undefined;
  readonly optPlatform?: string | undefined;
  readonly requestTime?: number | undefined;
  readonly requestId?: string | undefined;
  /** Something with every query parameter by its original name (the parsed query computes them lazily). */
  readonly query: { readonly params: Readonly<Record<string, string>> };
}

class ReceivedEvent {
  readonly #query: EventOrigin['query'];
  readonly sdkAppId: number;
  readonly clientIp: string | undefined;
  readonly optPlatform: string | undefined;
  readonly requestTime: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    readonly command: string,
    readonly kind: AnyCallbackEvent['kind'],
    readonly payload: unknown,
    readonly raw: unknown,
    origin: EventOrigin,
  ) {
    this.#query = origin.query;
    this.sdkAppId = origin.sdkAppId;
    this.clientIp = origin.clientIp;
    this.optPlatform = origin.optPlatform;
    this.requestTime = origin.requestTime;
    this.requestId = origin.requestId;
  }

  /** Every query parameter by its original name. */
  get query(): Readonly<Record<string, string>> {
    return this.#query.params;
  }
}

export function createEvent(
  command: string,
  kind: AnyCallbackEvent['kind'],
  payload: unknown,
  raw: unknown,
  origin: EventOrigin,
): AnyCallbackEvent {
  return new ReceivedEvent(command, kind, payload, raw, origin) as unknown as AnyCallbackEvent;
}

/** What every error about an event carries: its command, its payload as sent, its request id. */
export function eventContext(event: AnyCallbackEvent): {
  command: string;
  payload: unknown;
  requestId: string | undefined;
} {
  return { command: event.command, payload: event.raw, requestId: event.requestId };
}
