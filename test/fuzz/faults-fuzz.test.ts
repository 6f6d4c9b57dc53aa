/**
 * Fault fuzz over real HTTP, on every conformance target (issue 19, item 7): each case makes the
 * command's handler, an `onAny` observer and an `onError` handler return, throw or reject an
 * `fc.anything()` value (null-prototype objects, revoked Proxies, throwing `toString` included) or
 * never settle, with `dedupe` on or off, for a signed or forged request (test/fuzz/faults.ts). The
 * properties: every answer in the status table and JSON, nothing escapes (no unhandled rejection),
 * `onError` gets typed errors only, every refusal reported once; with `dedupe`, a re-sent copy of a
 * case answered 200 gets the same answer without running the handler again.
 * `FAULT_FUZZ_RUNS` cases per target (default 60; each may wait for the 50 ms deadline).
 */
import http from 'node:http';
import { silentLogger } from '@im-callbacks/core';
import { post } from '@im-callbacks/test-helpers';
import fc from 'fast-check';
import type { RunningTarget } from '../conformance/target';
import { targets } from '../conformance/targets';
import { FUZZ_APP, FUZZ_TOKEN } from './arbitraries';
import { checkFaultCase, Escapes, type FaultCase, FaultyApp, faultCase } from './faults';

const RUNS = Number(process.env.FAULT_FUZZ_RUNS ?? 60);
const SEED = process.env.FUZZ_SEED === undefined ? 0x19_fa17 : Number(process.env.FUZZ_SEED);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const escapes = new Escapes();
beforeAll(() => escapes.install());
afterAll(() => escapes.remove());

const counts: string[] = [];
afterAll(() => {
  if (counts.length > 0) console.log(`fault fuzz over HTTP (seed ${SEED}):\n${counts.join('\n')}`);
});

describe.each(targets.map((target, index) => ({ name: target.name, target, index })))('$name', ({ target, index }) => {
  const apps: { running: RunningTarget; faulty: FaultyApp }[] = [];
  beforeAll(async () => {
    for (const dedupe of [false, true]) {
      const running = await target.start({
        sdkAppId: FUZZ_APP,
        token: FUZZ_TOKEN,
        logger: silentLogger,
        deadline: 50,
        ...(dedupe ? { dedupe: { ttl: 60_000 } } : {}),
      });
      apps.push({ running, faulty: new FaultyApp(running.im) });
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.running.close()));
  });

  test(`${RUNS} cases with failing handlers, observers and onError, dedupe on and off`, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const tally = new Map<string, number>();
    try {
      await fc.assert(
        fc.asyncProperty(faultCase, async (c: FaultCase) => {
          const { running, faulty } = apps[c.dedupe ? 1 : 0] as (typeof apps)[number];
          faulty.set(c);
          escapes.seen.length = 0;
          const answer = await post(running.url, c.query, c.body, {}, 5000, agent);
          // Late reports (observers, onError's own failures) have a moment to show.
          await sleep(5);
          checkFaultCase(c, answer.status, answer.text, faulty, escapes);
          const key = `${answer.status}${c.dedupe ? ' dedupe' : ''}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          if (c.dedupe && answer.status === 200 && !c.forged) {
            const runs = faulty.runs;
            faulty.set(c);
            const again = await post(running.url, c.query, c.body, {}, 5000, agent);
            await sleep(5);
            checkFaultCase(c, again.status, again.text, faulty, escapes);
            if (again.status !== 200 || again.text !== answer.text || faulty.runs !== runs)
              throw new Error(
                `a re-sent copy got ${again.status} ${again.text}, handler runs ${runs} -> ${faulty.runs}`,
              );
          }
        }),
        { numRuns: RUNS, seed: SEED + index, endOnFailure: true },
      );
    } finally {
      agent.destroy();
      counts.push(`${target.name.padEnd(10)} ${[...tally].map(([key, n]) => `${key}: ${n}`).join(', ')}`);
    }
  }, 60_000);
});
