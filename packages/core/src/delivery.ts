/**
 * Owns delivery when a receiver scales out (`handoff` and/or `dedupe` set; without them the
 * receiver goes straight to the emitter and none of this runs): a duplicate gets the first copy's
 * answer and is not dispatched; after-callbacks and unknown commands go to the handoff, which must
 * take them before the deadline; before-callbacks are always decided here, in time. An enqueue past
 * the deadline and the store writes after an answer are given to the emitter's `InFlight`, so
 * `close()` waits for them.
 */
import type { Answer, Callback } from './callback.js';
import type { CommandSpec } from './catalogue/define.js';
import { type DedupeAnswer, type DedupeStore, dedupeKey } from './dedupe.js';
import type { CallbackEmitter } from './emitter.js';
import { DedupeError, describeError, HandoffError, type ImCallbackError } from './errors.js';
import { eventContext } from './event.js';
import type { AnyCallbackEvent } from './events.js';
import { type Handoff, handedOffEvent } from './handoff.js';
import { type CallbackResponse, decisionInputs, failureResponse, JSON_HEADERS, OK_RESPONSE } from './pipeline/reply.js';
import { settleCall, sleep, TIMED_OUT, within } from './settle.js';

/**
 * How long a claim stands while its copy is in flight: a process that dies mid-callback frees the
 * key then. At least the deadline, whatever `dedupe.ttl` says: the first copy is answered by then,
 * and a claim that expired earlier would let a duplicate run the handlers a second time.
 */
const PENDING_TTL = 10_000;
/** How often a duplicate asks whether the first copy has been answered. */
const POLL_MS = 20;

export interface DeliveryOptions {
  readonly handoff: Handoff | undefined;
  readonly dedupe: { readonly ttl: number; readonly store: DedupeStore } | undefined;
  readonly now: () => number;
  readonly deadline: number;
}

export class Delivery {
  constructor(
    readonly options: DeliveryOptions,
    readonly emitter: CallbackEmitter,
  ) {}

  /**
   * Delivers a validated callback: the body text it was read with is keyed (without one,
   * `dispatch`, the payload's JSON is); its deadline counts from its arrival.
   */
  deliver(callback: Callback): Answer {
    const { handoff, dedupe } = this.options;
    const event = callback.event as AnyCallbackEvent;
    const handOff = handoff !== undefined && event.kind !== 'before';
    if (!handOff && dedupe === undefined) return this.emitter.emit(callback);
    const key = dedupeKey(event.command, event.requestId, callback.text ?? JSON.stringify(event.raw));
    const run = (): Answer =>
      handOff ? this.#handOff(callback, handoff, key, callback.left(this.options.now())) : this.emitter.emit(callback);
    return dedupe === undefined ? run() : this.#deduplicated(callback, key, run);
  }

  async #handOff(callback: Callback, handoff: Handoff, key: string, ms: number) {
    const event = callback.event as AnyCallbackEvent;
    const enqueuing = settleCall(() => handoff.enqueue(handedOffEvent(event, key)));
    const outcome = await within(enqueuing, ms);
    if (outcome !== TIMED_OUT && outcome.ok) return OK_RESPONSE;
    // Answered 503 below, but the queue may still take it: in flight until it says.
    if (outcome === TIMED_OUT) this.emitter.inFlight.track(callback, enqueuing);
    const failed = outcome === TIMED_OUT ? undefined : outcome;
    const reason = failed ? `failed: ${describeError(failed.error)}` : `did not take the event within ${ms} ms`;
    const error = new HandoffError(`handoff ${reason}`, { ...eventContext(event), cause: failed?.error });
    this.emitter.report(callback, error);
    return failureResponse(error);
  }

  /**
   * The first copy claims the key and is delivered; its answer is kept (a 5xx frees the key, so a
   * retry runs again). A duplicate gets the kept answer, waiting for it while the first is in
   * flight, until the deadline.
   */
  async #deduplicated(callback: Callback, key: string, run: () => Answer): Promise<CallbackResponse> {
    const { store, ttl } = this.options.dedupe as { ttl: number; store: DedupeStore };
    const event = callback.event as AnyCallbackEvent;
    const before = event.kind === 'before';
    // A before-callback is decided even when de-duplication cannot say: Tencent needs a decision.
    const status = before ? OK_RESPONSE.status : undefined;
    const deadline = callback.left(this.options.now());
    const started = this.options.now();
    const pendingTtl = Math.max(Math.min(ttl, PENDING_TTL), Number.isFinite(deadline) ? deadline : 0);
    let polled = false;
    for (;;) {
      const left = deadline - (this.options.now() - started);
      const claiming = left > 0 ? settleCall(() => store.claim(key, pendingTtl)) : undefined;
      const outcome = claiming === undefined ? TIMED_OUT : await within(claiming, left);
      if (outcome === TIMED_OUT && claiming !== undefined) {
        // The store may still apply this claim (Redis frozen with the command queued): nobody would
        // complete or release it, and every retry would find the key in flight until it expired.
        // Released as soon as it lands, so the IM backend's retry runs.
        const late = claiming.then((landed) => {
          if (landed.ok && landed.value === undefined) this.#forget(callback, store, key);
        });
        this.emitter.inFlight.track(callback, late);
      }
      if (outcome === TIMED_OUT && polled) return this.#inFlight(callback, run, deadline, status);
      if (outcome === TIMED_OUT || !outcome.ok) {
        const failed = outcome === TIMED_OUT ? undefined : outcome;
        const reason = failed ? `failed: ${describeError(failed.error)}` : `did not answer within ${deadline} ms`;
        const context = { ...eventContext(event), cause: failed?.error };
        const error = new DedupeError('DEDUPE_FAILED', `dedupe store ${reason}`, context, status);
        return this.#undecided(callback, error, run);
      }
      const record = outcome.value as { answer?: DedupeAnswer | undefined } | undefined;
      if (record === undefined) return this.#first(callback, store, key, ttl, run);
      if (record.answer !== undefined) {
        callback.log.debug(`duplicate ${event.command} ${key}: answered as the first copy was, not dispatched`);
        const { status: answered, body } = record.answer;
        return answered === OK_RESPONSE.status && body === OK_RESPONSE.body
          ? OK_RESPONSE
          : { status: answered, body, headers: JSON_HEADERS };
      }
      if (left <= POLL_MS) return this.#inFlight(callback, run, deadline, status);
      polled = true;
      await sleep(POLL_MS);
    }
  }

  /** A duplicate whose first copy was still in flight at the deadline: 503 (after), the fallback (before). */
  #inFlight(callback: Callback, run: () => Answer, deadline: number, status: number | undefined): Answer {
    const event = callback.event as AnyCallbackEvent;
    const error = new DedupeError(
      'DUPLICATE_IN_FLIGHT',
      `a copy of this callback was still being handled after ${deadline} ms`,
      eventContext(event),
      status,
    );
    if (event.kind !== 'before') return this.#undecided(callback, error, run);
    this.emitter.report(callback, error);
    const spec = callback.spec as CommandSpec;
    return this.emitter.fallback(spec, decisionInputs(spec, event.payload));
  }

  /** Releases a key this process claimed but will not answer for; a store that fails only lets the claim expire. */
  #forget(callback: Callback, store: DedupeStore, key: string): void {
    const releasing = settleCall(() => store.release(key)).then(
      (result) =>
        result.ok || callback.log.warn(`dedupe store could not release ${key}: ${describeError(result.error)}`),
    );
    this.emitter.inFlight.track(callback, releasing);
  }

  async #first(callback: Callback, store: DedupeStore, key: string, ttl: number, run: () => Answer) {
    const response = await run();
    const kept =
      response.status >= 500
        ? settleCall(() => store.release(key))
        : // Kept at least the deadline, whatever `dedupe.ttl` says: a copy that arrived while this one was
          // in flight polls for this answer until its own deadline, and must find it.
          settleCall(() =>
            store.complete(key, { status: response.status, body: response.body }, Math.max(ttl, this.options.deadline)),
          );
    // Not awaited: a duplicate polls for the answer. A store that fails here only makes the claim expire.
    const keeping = kept.then(
      (result) => result.ok || callback.log.warn(`dedupe store could not keep ${key}: ${describeError(result.error)}`),
    );
    this.emitter.inFlight.track(callback, keeping);
    return response;
  }

  /** De-duplication could not decide: a before-callback is decided anyway (200), anything else answered 503. */
  #undecided(callback: Callback, error: ImCallbackError, run: () => Answer): Answer {
    this.emitter.report(callback, error);
    return callback.event?.kind === 'before' ? run() : failureResponse(error);
  }
}
