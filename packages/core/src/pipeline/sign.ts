/** Owns Tencent's callback Sign: computing it, and checking one in constant time. */
import * as crypto from 'node:crypto';

// The one-shot `crypto.hash` (Node 20.12+) costs less than a Hash object per request.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** Tencent's callback Sign: lowercase hex SHA-256 of token ‖ RequestTime (no separator, not an HMAC). */
export function computeSign(token: string, requestTime: string | number): string {
  const data = `${token}${requestTime}`;
  return oneShot === undefined
    ? crypto.createHash('sha256').update(data).digest('hex')
    : oneShot('sha256', data, 'hex');
}

/** `a` (64 lowercase hex digits) equals `b` up to letter case, in time that depends only on the length. */
function sameHex(expected: string, given: string): boolean {
  let difference = 0;
  for (let i = 0; i < 64; i++) {
    const code = given.charCodeAt(i);
    // `| 0x20` lower-cases A-F and leaves digits alone, so any character but a hex digit differs,
    // except the control characters 0x10-0x19 (which it turns into digits): neither bit 0x20 nor
    // 0x40 is set in them, and in no hex digit.
    difference |= (expected.charCodeAt(i) ^ (code | 0x20)) | (code & 0x60 ? 0 : 1);
  }
  return difference === 0;
}

/**
 * The Signs of the last `RequestTime` checked, and the token list they were computed for. The IM
 * backend signs once per second, so every callback of that second is checked against the same
 * hashes: computed once, not once per callback. What is kept depends only on the tokens and the
 * `RequestTime`, never on a Sign sent.
 */
let last: { tokens: readonly string[]; requestTime: string; signs: readonly string[] } | undefined;

function expectedSigns(tokens: readonly string[], requestTime: string): readonly string[] {
  if (last !== undefined && last.tokens === tokens && last.requestTime === requestTime) return last.signs;
  const signs = tokens.map((token) => computeSign(token, requestTime));
  last = { tokens, requestTime, signs };
  return signs;
}

/**
 * True when `sign` is the Sign of `requestTime` under one of `tokens`. Every token's Sign is
 * compared in constant time, so timing tells nothing about which token (or how much) matched.
 */
export function signMatches(tokens: readonly string[], requestTime: string, sign: string): boolean {
  if (sign.length !== 64) return false;
  let matched = false;
  for (const expected of expectedSigns(tokens, requestTime)) {
    if (sameHex(expected, sign)) matched = true;
  }
  return matched;
}
