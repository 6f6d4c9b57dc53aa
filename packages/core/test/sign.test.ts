/** The Sign check: case-insensitive hex, exact otherwise, and no state shared between calls or receivers. */
import { computeSign, signMatches } from '../src/pipeline/sign.js';

const time = '1700000000';
const sign = computeSign('token', time);

test('the Sign matches in any letter case, and nothing else does', () => {
  expect(signMatches(['token'], time, sign)).toBe(true);
  expect(signMatches(['token'], time, sign.toUpperCase())).toBe(true);
  expect(signMatches(['other', 'token'], time, sign)).toBe(true);
  expect(signMatches(['other'], time, sign)).toBe(false);
  expect(signMatches(['token'], '1700000001', sign)).toBe(false);
  // One digit turned into the control character the old bit trick mapped onto it (0x10 + digit).
  const digit = sign.search(/[0-9]/);
  const control = sign.slice(0, digit) + String.fromCharCode(sign.charCodeAt(digit) - 0x20) + sign.slice(digit + 1);
  expect(signMatches(['token'], time, control)).toBe(false);
  // 'İ' lower-cases to two characters; any non-ASCII character is more than one byte.
  expect(signMatches(['token'], time, `${sign.slice(0, 63)}İ`)).toBe(false);
  expect(signMatches(['token'], time, `${sign.slice(0, 63)}é`)).toBe(false);
  expect(signMatches(['token'], time, sign.slice(1))).toBe(false);
});

test('two token lists checked in turn for the same RequestTime each get their own answer', () => {
  const a = ['token-a'];
  const b = ['token-b'];
  const signA = computeSign('token-a', time);
  for (let i = 0; i < 3; i++) {
    expect(signMatches(a, time, signA)).toBe(true);
    expect(signMatches(b, time, signA)).toBe(false);
  }
});

test('a Sign cut short by a pair that is not hex never matches on what an earlier check left in the decode buffer', () => {
  expect(signMatches(['token'], time, sign)).toBe(true);
  // The first 31 bytes decode to the right ones; the 32nd would be the last check's if it counted.
  expect(signMatches(['token'], time, `${sign.slice(0, 62)}zz`)).toBe(false);
  expect(signMatches(['token'], time, `${sign.slice(0, 63)}g`)).toBe(false);
  expect(signMatches(['token'], time, `zz${sign.slice(2)}`)).toBe(false);
  expect(signMatches(['token'], time, sign)).toBe(true);
});
