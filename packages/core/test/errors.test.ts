/** describeError and toImCallbackError are total: no thrown value makes describing it a second failure. */
import { neverSettles, revoked, throwingToString } from '@im-callbacks/test-helpers';
import { describeError, ImCallbackError, InternalError, toImCallbackError } from '../src/errors.js';

const hostile: [string, () => unknown, RegExp][] = [
  ['Object.create(null)', () => Object.create(null), /^\[unprintable Object\]$/],
  ['a throwing toString', throwingToString, /^\[unprintable Object\]$/],
  ['a revoked Proxy', revoked, /^\[unprintable object\]$/],
  ['undefined', () => undefined, /^undefined$/],
  ['a Symbol', () => Symbol('s'), /^Symbol\(s\)$/],
  ['a never-settling thenable', neverSettles, /^\[object Object\]$/],
  [
    'an Error whose message getter throws',
    () =>
      Object.defineProperty(new Error('x'), 'message', {
        get() {
          throw new Error('no');
        },
      }),
    /^\[unprintable Error\]$/,
  ],
  [
    'an Error whose message is an object',
    () => Object.assign(new Error('x'), { message: Object.create(null) }),
    /^\[unprintable Object\]$/,
  ],
];

test.each(hostile)('describeError(%s) does not throw', (_name, make, expected) => {
  expect(describeError(make())).toMatch(expected);
});

test.each(hostile)('toImCallbackError(%s) wraps it as an InternalError with the value as cause', (_name, make) => {
  const value = make();
  const error = toImCallbackError(value, { command: 'C' });
  expect(error).toBeInstanceOf(InternalError);
  expect(error.cause).toBe(value);
  expect(error.command).toBe('C');
});

test('toImCallbackError passes its own errors through', () => {
  const own = new InternalError();
  expect(toImCallbackError(own, {})).toBe(own);
  expect(own).toBeInstanceOf(ImCallbackError);
});
