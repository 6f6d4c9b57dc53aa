/**
 * The values a careless or hostile handler throws that `String()` cannot describe, shared by the
 * suites that throw them at the receiver (core's errors test, the hostile throwables test, the
 * fault fuzz). Each is made fresh per use: a revoked Proxy cannot be inspected at all.
 */

/** A thenable whose `then` never calls back. */
export function neverSettles(): PromiseLike<never> {
  // biome-ignore lint/suspicious/noThenProperty: a thenable that never settles is the hostile value
  return { then: () => undefined } as unknown as PromiseLike<never>;
}

/** A Proxy that was revoked: every operation on it throws. */
export function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An object whose `toString` throws. */
export function throwingToString(): object {
  return {
    toString() {
      throw new Error('toString');
    },
  };
}
