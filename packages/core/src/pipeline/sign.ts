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

const oneShotBytes = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;

/** The SHA-256 digest of token ‖ RequestTime, as bytes (what a Sign's hex decodes to). */
function signBytes(token: string, requestTime: string): Buffer {
  const data = `${token}${requestTime}`;
  return oneShotBytes === undefined
    ? crypto.createHash('sha256').update(data).digest()
    : oneShotBytes('sha256', data, 'buffer');
}

/**
 * True when `sign` is the Sign of `requestTime` under one of `tokens`. The given Sign is decoded
 * from hex (case-insensitive, as hex is; anything but 64 hex digits decodes short and cannot match)
 * and compared with each token's digest by `crypto.timingSafeEqual` on equal-length buffers, every
 * one of them, so timing tells nothing about which token (or how much) matched. Nothing is kept
 * between calls: receivers share no state.
 */
export function signMatches(tokens: readonly string[], requestTime: string, sign: string): boolean {
  if (sign.length !== 64) return false;
  const given = Buffer.from(sign, 'hex');
  if (given.length !== 32) return false;
  let matched = false;
  for (const token of tokens) {
    if (crypto.timingSafeEqual(signBytes(token, requestTime), given)) matched = true;
  }
  return matched;
}
