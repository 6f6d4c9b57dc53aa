/**
 * Fault fuzz in-process, with bodies as streams (issue 19, item 7): the cases of test/fuzz/faults.ts
 * (failing or never-settling handlers, observers and `onError`, `dedupe` on and off, forged Signs),
 * each body a Readable cut into chunks at random points, through `receiver.handle`. Same properties
 * as the HTTP fault fuzz, plus: `handle` never rejects. `FAULT_FUZZ_RUNS` x 5 cases (default 300).
 */
import { Readable } from 'node:stream';
import { createReceiver, silentLogger } from '@im-callbacks/core';
import { FUZZ_APP, FUZZ_TOKEN } from '../../../test/fuzz/arbitraries.js';
import { assertFaults, checkFaultCase, Escapes, FaultyApp } from '../../../test/fuzz/faults.js';

const RUNS = Number(process.env.FAULT_FUZZ_RUNS ?? 60) * 5;
const SEED = process.env.FUZZ_SEED === undefined ? 0x19_57ea : Number(process.env.FUZZ_SEED);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `body` cut at `cuts` (positions modulo its length), as a stream of Buffers. */
function streamed(body: string, cuts: readonly number[]): Readable {
  const bytes = Buffer.from(body);
  const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  return Readable.from(chunks.filter((chunk) => chunk.length > 0));
}

test(`${RUNS} fault cases, bodies streamed in random chunks: answers in the table, nothing escapes`, async () => {
  const escapes = new Escapes();
  escapes.install();
  const receivers = [false, true].map((dedupe) => {
    const receiver = createReceiver({
      sdkAppId: FUZZ_APP,
      token: FUZZ_TOKEN,
      logger: silentLogger,
      deadline: 50,
      ...(dedupe ? { dedupe: { ttl: 60_000 } } : {}),
    });
    return { receiver, faulty: new FaultyApp(receiver) };
  });
  const statuses = new Map<number, number>();
  try {
    await assertFaults(RUNS, SEED, async (c) => {
      const { receiver, faulty } = receivers[c.dedupe ? 1 : 0] as (typeof receivers)[number];
      faulty.set(c);
      escapes.seen.length = 0;
      const answer = await receiver.handle({ query: c.query, body: streamed(c.body, c.cuts) });
      await sleep(2);
      checkFaultCase(c, answer.status, answer.body, faulty, escapes);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    });
  } finally {
    escapes.remove();
    console.log(
      `in-process fault fuzz, streamed bodies (seed ${SEED}): ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}`,
    );
  }
}, 120_000);
