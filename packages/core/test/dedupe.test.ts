/** De-dup keys are bounded, and a `dedupe.ttl` below the deadline is accepted with a warning. */
import { createReceiver, type Logger, silentLogger } from '@im-callbacks/core';
import { dedupeKey, MAX_REQUEST_ID_KEY } from '../src/dedupe.js';

test('a RequestID up to 128 characters is its own key; a longer one is hashed, the same way each time', () => {
  const short = 'r'.repeat(MAX_REQUEST_ID_KEY);
  expect(dedupeKey('C', short, '{}')).toBe(short);
  const long = 'r'.repeat(15_000);
  const key = dedupeKey('C', long, '{}');
  expect(key).toMatch(/^requestid-sha256:[0-9a-f]{64}$/);
  expect(dedupeKey('D', long, '{"other":1}')).toBe(key);
  expect(dedupeKey('C', `${long}x`, '{}')).not.toBe(key);
});

test('dedupe.ttl below the deadline: accepted, with a warning naming both', () => {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (line: string) => warnings.push(line) };
  createReceiver({ sdkAppId: 1400000000, token: 't', logger, deadline: 1500, dedupe: { ttl: 1000 } });
  expect(warnings).toEqual([expect.stringMatching(/dedupe\.ttl \(1000 ms\) is shorter than the deadline \(1500 ms\)/)]);
  warnings.length = 0;
  createReceiver({ sdkAppId: 1400000000, token: 't', logger, dedupe: { ttl: 600_000 } });
  expect(warnings).toEqual([]);
});
