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

/**
 * True when `sign` is the Sign of `requestTime` under one of `tokens`. Hex is case-insensitive, so
 * the given Sign is lower-cased first; each token's Sign is then compared with
 * `crypto.timingSafeEqual` on equal-length buffers, every one of them, so timing tells nothing about
 * which token (or how much) matched. Nothing is kept between calls: receivers share no state.
 */
export function signMatches(tokens: readonly string[], requestTime: string, sign: string): boolean {
  if (sign.length !== 64) return false;
  // Any character outside ASCII makes more than 64 bytes (or changes length when lower-cased): no match.
  const given = Buffer.from(sign.toLowerCase(), 'utf8');
  if (given.length !== 64) return false;
  let matched = false;
  for (const token of tokens) {
    if (crypto.timingSafeEqual(Buffer.from(computeSign(token, requestTime), 'latin1'), given)) matched = true;
  }
  return matched;
}
