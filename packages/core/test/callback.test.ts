/** The per-callback context (callback.ts): what it starts with, and the handlers' time left. */
import { silentLogger } from '@im-callbacks/core';
import { Callback } from '../src/callback.js';

describe('Callback', () => {
  test('starts knowing only its arrival, logger, trace and deadline', () => {
    const callback = new Callback(1000, silentLogger, undefined, 1500);
    expect(callback).toMatchObject({ receivedAt: 1000, log: silentLogger, trace: undefined, deadline: 1500 });
    for (const field of ['command', 'requestId', 'sdkAppId', 'payload', 'text', 'spec', 'event'] as const) {
      expect([field, callback[field]]).toEqual([field, undefined]);
    }
  });

  describe('left(now)', () => {
    const callback = new Callback(10_000, silentLogger, undefined, 1500);
    test.each([
      ['at arrival', 10_000, 1500],
      ['250 ms later', 10_250, 1250],
      ['1 ms before the deadline', 11_499, 1],
      ['at the deadline', 11_500, 1],
      ['long overdue', 20_000, 1],
    ])('%s: %i → %i ms', (_name, now, left) => {
      expect(callback.left(now)).toBe(left);
    });

    test('a clock that went back gives more than the deadline, not less', () => {
      expect(callback.left(9_900)).toBe(1600);
    });

    test('Infinity (dispatch with wait): always Infinity', () => {
      const waiting = new Callback(10_000, silentLogger, undefined, Number.POSITIVE_INFINITY);
      expect(waiting.left(10_000)).toBe(Number.POSITIVE_INFINITY);
      expect(waiting.left(Number.MAX_SAFE_INTEGER)).toBe(Number.POSITIVE_INFINITY);
    });
  });
});
