/** Owns the small promise helpers of dispatch: settling a handler's result, racing it against a deadline. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };
export const TIMED_OUT = Symbol('timed out');

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

export function settle(value: unknown): Promise<Settled> {
  return Promise.resolve(value).then(
    (result) => ({ ok: true, value: result }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** `promise`, or TIMED_OUT after `ms` (Infinity: no deadline). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  if (ms === Number.POSITIVE_INFINITY) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `settle` of what `call` returns, or of what it throws. */
export function settleCall(call: () => unknown): Promise<Settled> {
  try {
    return settle(call());
  } catch (error) {
    return Promise.resolve({ ok: false, error });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
