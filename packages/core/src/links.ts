/**
 * Owns the list the request path adds to and removes from on every callback that is not answered
 * at once: the body reads a `BodyDeadlines` watches, and the callbacks an `InFlight` has in flight.
 * A doubly linked list whose entries carry their own links, so adding is three writes and removing
 * four, with no hash table.
 *
 * A `Set` (and a `Map`) did this job before, at a cost far above its own code: measured in one
 * process with 50 `Request`s in flight (`receiver.fetch`'s read and answer), adding and deleting
 * one entry per request in a `Set` or `Map` cost 3.5-4.5 µs a request, and the same in this list
 * none measurable (within 0.4 µs of doing nothing, two runs). With both lists (`BodyDeadlines`
 * and `InFlight`): `receiver.fetch` 54 → 46 µs a request in that process; behind Hono (`pnpm
 * bench`, both builds in one run) 1.04× the req/s at 600 B and 1.07× at 12 KB (server CPU a
 * request 45 → 43 µs, 57 → 53 µs); behind the node:http bridge, 0.98× and 1.01× (within noise).
 */

/** What an entry carries to be in a `LinkedList`: set by the list only. */
export interface Link<T> {
  prev: T | undefined;
  next: T | undefined;
}

/** A list of entries in the order they were added; `remove` of an entry not in it does nothing. */
export class LinkedList<T extends Link<T>> {
  #head: T | undefined;
  #tail: T | undefined;
  #size = 0;

  /** How many entries are in the list. */
  get size(): number {
    return this.#size;
  }

  /** The oldest entry, if any. */
  get first(): T | undefined {
    return this.#head;
  }

  /** Adds `entry` (not in any list) at the end. */
  push(entry: T): void {
    entry.prev = this.#tail;
    entry.next = undefined;
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
    this.#size++;
  }

  /** Takes `entry` out of the list; nothing when it is not in it (removed already, or never added). */
  remove(entry: T): void {
    // An entry in the list with no predecessor is its head.
    if (entry.prev === undefined && this.#head !== entry) return;
    if (entry.prev === undefined) this.#head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.#tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
    this.#size--;
  }

  /** The entries, oldest first (a copy: the list may change while it is walked). */
  toArray(): T[] {
    const entries: T[] = [];
    for (let entry = this.#head; entry !== undefined; entry = entry.next) entries.push(entry);
    return entries;
  }
}
