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
    // `| 0x20` lower-cases A-F and leaves digits alone; anything else makes a difference.
    const code = given.charCodeAt(i);
    const valid = (code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
    difference |= (expected.charCodeAt(i) ^ (code | 0x20)) | (valid ? 0 : 1);
  }
  return difference === 0;
}

/**
 * True when `sign` is the Sign of `requestTime` under one of `tokens`. Every token is hashed and
 * compared in constant time, so timing tells nothing about which token (or how much) matched.
 */
export function signMatches(tokens: readonly string[], requestTime: string, sign: string): boolean {
  if (sign.length !== 64) return false;
  let matched = false;
  for (const token of tokens) {
    if (sameHex(computeSign(token, requestTime), sign)) matched = true;
  }
  return matched;
}
