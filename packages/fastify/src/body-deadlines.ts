/**
 * Owns the Fastify route's body timeouts: one timer for all the requests whose body is still on
 * its way, instead of a `setTimeout` and a `clearTimeout` per request (A/B runs under load: a few
 * µs of the route's CPU per request, near the noise of the development machine). Every request gets
 * the same timeout, so deadlines fall due in arrival order: a queue, whose head is the next to
 * expire, and one timer armed for it.
 */

/** One request waiting for its body; `settle` it when the body is in (or reading it failed). */
export interface PendingBody<T> {
  readonly due: number;
  /** Undefined once settled or expired. */
  waiting: T | undefined;
  next: PendingBody<T> | undefined;
}

export class BodyDeadlines<T> {
  #head: PendingBody<T> | undefined;
  #tail: PendingBody<T> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `expire` is called with a request's value when its body has not arrived `timeout` ms after
   * `start`; `now` is the clock (ms).
   */
  constructor(
    readonly timeout: number,
    readonly expire: (waiting: T) => void,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts the body timeout of one request. */
  start(waiting: T): PendingBody<T> {
    this.#drop();
    const entry: PendingBody<T> = { due: this.now() + this.timeout, waiting, next: undefined };
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
    if (this.#timer === undefined) this.#arm(this.timeout);
    return entry;
  }

  /** The body is in, or its request is over: its timeout no longer applies. */
  static settle<T>(entry: PendingBody<T> | undefined): void {
    if (entry !== undefined) entry.waiting = undefined;
  }

  /** Drops settled requests from the head: bodies usually arrive at once, so the queue stays short. */
  #drop(): void {
    while (this.#head !== undefined && this.#head.waiting === undefined) this.#head = this.#head.next;
    if (this.#head === undefined) this.#tail = undefined;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#fire, Math.max(0, ms));
    // A pending body never keeps the process alive on its own: its connection does.
    this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = this.now();
    for (;;) {
      this.#drop();
      const head = this.#head;
      if (head === undefined || head.due > now) break;
      this.#head = head.next;
      const waiting = head.waiting;
      head.waiting = undefined;
      if (waiting !== undefined) this.expire(waiting);
    }
    if (this.#head === undefined) this.#tail = undefined;
    else this.#arm(this.#head.due - now);
  };
}
