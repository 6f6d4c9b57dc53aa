import { createHash, timingSafeEqual } from 'node:crypto';

/** Tencent's callback Sign: lowercase hex SHA-256 of token ‖ RequestTime (no separator, not an HMAC). */
export function computeSign(token: string, requestTime: string | number): string {
  return createHash('sha256').update(`${token}${requestTime}`).digest('hex');
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * True when `sign` is the Sign of `requestTime` under one of `tokens`. Every token is hashed and
 * compared in constant time, so timing tells nothing about which token (or how much) matched.
 */
export function signMatches(tokens: readonly string[], requestTime: string, sign: string): boolean {
  if (!HEX64.test(sign)) return false;
  const given = Buffer.from(sign, 'hex');
  let matched = false;
  for (const token of tokens) {
    const expected = createHash('sha256').update(`${token}${requestTime}`).digest();
    if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}
