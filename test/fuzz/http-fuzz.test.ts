/**
 * HTTP fuzz: whole callback requests from test/fuzz/arbitraries.ts, sent over real HTTP (one
 * keep-alive socket, sequentially) to every conformance target, each answer checked against the
 * status table and the case's facts (see `checkCase`).
 *
 * Every target runs two apps: one with the token, one without; each case goes to the app it was
 * built for. `FUZZ_RUNS` (default 10000) cases per target; `FUZZ_SEED` fixes the seed (default a
 * constant, so runs are reproducible); `FUZZ_SHRINK=1` shrinks a counterexample (slow over HTTP),
 * otherwise the first failing case is reported as is.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { ImCallbackError, silentLogger } from '@im-callbacks/core';
import { post } from '@im-callbacks/test-helpers';
import fc from 'fast-check';
import type { RunningTarget, Target, TargetOptions } from '../conformance/target';
import { targets } from '../conformance/targets';
import {
  type CallbackCase,
  callbackCase,
  checkCase,
  fuzzReceiverOptions,
  type Observation,
  OutcomeTally,
} from './arbitraries';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10000);
const SEED = process.env.FUZZ_SEED === undefined ? 0x1cb_2024 : Number(process.env.FUZZ_SEED);
const SHRINK = process.env.FUZZ_SHRINK === '1';
/** No answer within this: the case fails with a clear message instead of hanging. */
const REQUEST_TIMEOUT_MS = 5000;
/** Per target: generous (about 1 ms per case is typical), so a slow machine does not fail. */
const TEST_TIMEOUT_MS = Math.max(60_000, RUNS * 25);
const SUMMARY_FILE = '/tmp/im-callbacks-http-fuzz.json';

interface FuzzApp {
  running: RunningTarget;
  url: URL;
  deliveries: unknown[];
  errors: unknown[];
}

async function startApp(target: Target, tokenConfigured: boolean): Promise<FuzzApp> {
  const options: TargetOptions = { ...fuzzReceiverOptions(tokenConfigured), logger: silentLogger };
  const running = await target.start(options);
  const app: FuzzApp = { running, url: new URL(running.url), deliveries: [], errors: [] };
  running.im.onAny((event: unknown) => {
    app.deliveries.push(event);
  });
  running.im.onError((error: unknown) => {
    app.errors.push(error);
  });
  return app;
}

/** POSTs one case on the shared keep-alive agent; rejects with a clear message on a transport error or no answer in time. */
function send(agent: http.Agent, app: FuzzApp, c: CallbackCase) {
  const headers: Record<string, string> = c.contentType === undefined ? {} : { 'content-type': c.contentType };
  return post(`${app.url.origin}${app.url.pathname}`, c.query, c.body, headers, REQUEST_TIMEOUT_MS, agent);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TargetSummary {
  target: string;
  runs: number;
  ms: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
}
const summaries: TargetSummary[] = [];

afterAll(() => {
  if (summaries.length === 0) return;
  const lines = summaries.map(
    (s) =>
      `${s.target.padEnd(10)} ${String(s.runs).padStart(6)} cases ${String(s.ms).padStart(7)} ms  ${Object.entries(
        s.statuses,
      )
        .map(([status, n]) => `${status}:${n}`)
        .join(' ')}`,
  );
  const total = summaries.reduce((sum, s) => sum + s.ms, 0);
  const codes = new Map<string, number>();
  for (const s of summaries)
    for (const [code, n] of Object.entries(s.codes)) codes.set(code, (codes.get(code) ?? 0) + n);
  const codeLines = [...codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `  ${code.padEnd(22)} ${n}`);
  console.log(
    `HTTP fuzz (seed ${SEED}, ${RUNS} runs per target)\n${lines.join('\n')}\ntotal ${total} ms\nall targets, by code:\n${codeLines.join('\n')}`,
  );
  writeFileSync(SUMMARY_FILE, `${JSON.stringify({ seed: SEED, runs: RUNS, summaries }, null, 2)}\n`);
});

describe.each(targets.map((target, index) => ({ name: target.name, target, index })))('$name', ({ target, index }) => {
  let signedApp: FuzzApp;
  let openApp: FuzzApp;
  beforeAll(async () => {
    signedApp = await startApp(target, true);
    openApp = await startApp(target, false);
  });
  afterAll(async () => {
    await Promise.all([signedApp?.running.close(), openApp?.running.close()]);
  });

  test(
    `${RUNS} fuzzed callbacks over HTTP answer by the status table`,
    async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const tally = new OutcomeTally();
      const started = Date.now();
      try {
        await fc.assert(
          fc.asyncProperty(callbackCase(), async (c) => {
            const app = c.expect.tokenConfigured ? signedApp : openApp;
            app.deliveries.length = 0;
            app.errors.length = 0;
            const answer = await send(agent, app, c);
            const observe = (): Observation => ({
              status: answer.status,
              body: answer.text,
              deliveries: [...app.deliveries],
              errors: [...app.errors],
            });
            try {
              checkCase(c, observe(), ImCallbackError);
            } catch {
              // Before failing, give a late onError/onAny a moment: the property is about counts, not timing.
              await sleep(100);
              checkCase(c, observe(), ImCallbackError);
            }
            tally.add(c, observe());
          }),
          { numRuns: RUNS, seed: SEED + index, endOnFailure: !SHRINK, includeErrorInReport: true },
        );
      } finally {
        agent.destroy();
        summaries.push({
          target: target.name,
          runs: tally.total,
          ms: Date.now() - started,
          statuses: Object.fromEntries([...tally.byStatus].map(([status, n]) => [String(status), n])),
          codes: Object.fromEntries(tally.byCode),
        });
      }
    },
    TEST_TIMEOUT_MS,
  );
});
