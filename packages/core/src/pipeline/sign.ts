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
 * Where a given Sign is decoded: checks are synchronous, so one buffer serves them all (no
 * allocation a callback). Measured together with the lazy schemas' last checker kept
 * (fast-check.ts) and the query names looked up as Tencent spells them (query.ts): `receiver.fetch`
 * behind Hono, `pnpm bench --rounds=9` with both builds in one run, 1.05× the req/s at 600 B (every
 * round above 1.00), 0.98× at 12 KB (CPU 1.02×, within noise).
 */
const given = Buffer.alloc(32);

/** Whether the hex `sign` decodes to one of `digests`, each compared in constant time. */
function matchesOne(digests: readonly Buffer[], sign: string): boolean {
  // Hex decoding stops at the first pair that is not hex: a Sign that is not 64 hex digits writes
  // fewer than 32 bytes (and every byte of the buffer is written before it is compared).
  if (sign.length !== 64 || given.write(sign, 'hex') !== 32) return false;
  let matched = false;
  for (const digest of digests) if (crypto.timingSafeEqual(digest, given)) matched = true;
  return matched;
}

/**
 * True when `sign` is the Sign of `requestTime` under one of `tokens`. The given Sign is decoded
 * from hex (case-insensitive, as hex is; anything but 64 hex digits decodes short and cannot match)
 * and compared with each token's digest by `crypto.timingSafeEqual` on equal-length buffers, every
 * one of them, so timing tells nothing about which token (or how much) matched.
 */
export function signMatches(tokens: readonly string[], requestTime: string, sign: string): boolean {
  return matchesOne(
    tokens.map((token) => signBytes(token, requestTime)),
    sign,
  );
}

/**
 * One receiver's Sign check: `signMatches`, with the digests of the last `RequestTime` kept. The IM
 * backend signs once a second, so every callback of that second is checked against digests computed
 * once. What is kept depends only on the receiver's tokens and a `RequestTime`, never on a Sign
 * sent, and belongs to this receiver alone. Measured (in-process, 5 alternating rounds of 200,000):
 * 1,113-1,431 ns a check hashing every time, 204-236 ns with the digests kept, about 15 % of the core
 * pipeline for a 600 B callback, which has a target of its own (`pnpm bench`, core section).
 */
export class SignCheck {
  #requestTime: string | undefined;
  #digests: readonly Buffer[] = [];

  constructor(readonly tokens: readonly string[]) {}

  matches(requestTime: string, sign: string): boolean {
    if (requestTime !== this.#requestTime) {
      this.#digests = this.tokens.map((token) => signBytes(token, requestTime));
      this.#requestTime = requestTime;
    }
    return matchesOne(this.#digests, sign);
  }
}
