/**
 * Owns the body deadlines: when a body read that has not finished is stopped (`bodyTimeout`). A
 * receiver's reads share one `BodyDeadlines`, and so one timer: reads are watched in the order
 * they start, which with one timeout is the order their deadlines fall, so the timer is only ever
 * armed for the oldest read still watched, and a read that finishes is taken out of a linked list
 * (links.ts says what a `Set` here cost). A timer per read cost far more than its own code: Node's timer list for the timeout empties and is rebuilt
 * (and the native timer rescheduled) on nearly every callback. Measured (`pnpm bench --rounds=12`,
 * `receiver.fetch` behind Hono on Node, three processes a side, two runs): one shared timer against
 * a timer per read, 1.06-1.21× the req/s at 600 B and 1.22-1.24× at 12 KB.
 *
 * A host may drop a timer (a serverless runtime ending the request that armed it): a read that
 * starts once the timer is overdue re-arms it.
 */

import { type Link, LinkedList } from '../links.js';

/** One read being watched: `expire` is called once its deadline passes, unless `done` came first. */
export class BodyWatch implements Link<BodyWatch> {
  prev: BodyWatch | undefined = undefined;
  next: BodyWatch | undefined = undefined;

  constructor(
    readonly deadline: number,
    readonly expire: () => void,
  ) {}
}

/** How late an armed timer may be before a new read assumes the host dropped it, in ms. */
const OVERDUE_MS = 1_000;

const monotonic = (): number => performance.now();

export class BodyDeadlines {
  /** Watched reads, oldest first (the order they started, which is deadline order). */
  readonly #reads = new LinkedList<BodyWatch>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer is due (the clock's ms). */
  #due = 0;

  constructor(
    /** Milliseconds a read has, from `watch`. */
    readonly timeout: number,
    readonly clock: () => number = monotonic,
  ) {}

  /** Starts watching a read: `expire` runs once `timeout` ms have passed, unless `done` is called first. */
  watch(expire: () => void): BodyWatch {
    const now = this.clock();
    const read = new BodyWatch(now + this.timeout, expire);
    this.#reads.push(read);
    if (this.#timer === undefined) this.#arm(now, read.deadline);
    // Overdue: armed again for the oldest read (at once, when its deadline has passed).
    else if (now > this.#due + OVERDUE_MS) this.#arm(now, (this.#reads.first as BodyWatch).deadline);
    return read;
  }

  /** The read finished (or failed) before its deadline. */
  done(read: BodyWatch): void {
    this.#reads.remove(read);
  }

  /** How many reads are being watched. */
  get size(): number {
    return this.#reads.size;
  }

  #arm(now: number, at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#due = at;
    this.#timer = setTimeout(this.#sweep, Math.max(0, Math.ceil(at - now)));
    // Never what keeps a process alive: a read in progress has its connection for that.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Expires every read whose deadline passed, then arms the timer for the oldest left (if any). */
  readonly #sweep = (): void => {
    this.#timer = undefined;
    const now = this.clock();
    for (let read = this.#reads.first; read !== undefined; read = this.#reads.first) {
      if (read.deadline > now) {
        this.#arm(now, read.deadline);
        return;
      }
      this.#reads.remove(read);
      try {
        read.expire();
      } catch {
        // An expiry that throws must not keep the reads after it from expiring.
      }
    }
  };
}
