/**
 * Owns what a receiver has in flight, so that `close()` can stop taking callbacks and drain them:
 * callbacks not answered yet, and the work of answered callbacks that outlives their answer (an
 * after-callback's late handlers, a before-callback's handler chain still running after the
 * fallback, `onAny` observers, a handoff's enqueue past the deadline, de-duplication writes).
 *
 * Work is counted per callback (the callback carries its command, request id and payload, which an
 * abandoned one is reported with). A callback answered synchronously with nothing running on costs
 * nothing here; every other piece costs a count on the callback, a place in a linked list while
 * the count is above 0 (links.ts says what a `Map` here cost) and one `then`. Work
 * that outlives the answer is also handed to the callback's `waitUntil` (a serverless host that
 * freezes the function once the response is out keeps it alive for those promises).
 */
import type { Callback } from './callback.js';
import { describeError } from './errors.js';
import { LinkedList } from './links.js';
import { TIMED_OUT, within } from './settle.js';

/** What `receiver.close()` resolves with: callbacks whose work finished during the drain, and those given up. */
export interface DrainResult {
  /** Callbacks in flight when `close()` was called (or taken just before) whose work all finished. */
  readonly finished: number;
  /** Callbacks whose work was still running at the timeout: each reported as `ABANDONED`. */
  readonly abandoned: number;
}

export class InFlight {
  /** Once `close()` was called: callbacks are refused from then on. */
  closing = false;
  /** Callbacks with work still running (each counts its pieces, its answer as one), oldest first. */
  readonly #pending = new LinkedList<Callback>();
  #drained: Promise<DrainResult> | undefined;
  #finished = 0;
  #idle: (() => void) | undefined;

  /** How many callbacks have work in flight. */
  get size(): number {
    return this.#pending.size;
  }

  /** A callback whose answer is not known yet: in flight until `answer` settles (it never rejects). */
  answering(callback: Callback, answer: Promise<unknown>): void {
    this.#add(callback, answer);
  }

  /**
   * Work of `callback` that may outlive its answer. `work` must never reject (a settled promise):
   * its failures are the caller's to report. Handed to the callback's `waitUntil` too.
   */
  track(callback: Callback, work: Promise<unknown>): void {
    this.#add(callback, work);
    const waitUntil = callback.waitUntil;
    if (waitUntil === undefined) return;
    try {
      waitUntil(work);
    } catch (error) {
      // A host's waitUntil called outside its request scope throws; the work runs on regardless.
      callback.log.warn(`waitUntil failed: ${describeError(error)}`);
    }
  }

  /**
   * Stops taking callbacks (`closing`), then waits until nothing is in flight or `timeout` ms
   * passed; each callback still running then is given to `abandon`. The same promise on every call.
   */
  close(timeout: number, abandon: (callback: Callback) => void): Promise<DrainResult> {
    this.#drained ??= this.#drain(timeout, abandon);
    return this.#drained;
  }

  async #drain(timeout: number, abandon: (callback: Callback) => void): Promise<DrainResult> {
    this.closing = true;
    if (this.#pending.size > 0) {
      const idle = new Promise<void>((resolve) => {
        this.#idle = resolve;
      });
      if ((await within(idle, timeout)) === TIMED_OUT) this.#idle = undefined;
    }
    const abandoned = this.#pending.toArray();
    for (const callback of abandoned) abandon(callback);
    return { finished: this.#finished, abandoned: abandoned.length };
  }

  #add(callback: Callback, work: Promise<unknown>): void {
    if (callback.pending++ === 0) this.#pending.push(callback);
    const done = () => this.#done(callback);
    work.then(done, done);
  }

  #done(callback: Callback): void {
    if (--callback.pending > 0) return;
    this.#pending.remove(callback);
    if (!this.closing) return;
    this.#finished++;
    if (this.#pending.size === 0) this.#idle?.();
  }
}
