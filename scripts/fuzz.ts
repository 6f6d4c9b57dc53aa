/**
 * `pnpm fuzz [--runs N] [--seed S]`: the HTTP fuzz's cases (test/fuzz/arbitraries.ts), a million by
 * default, run in-process through `receiver.handle({ query, body })` of the BUILT core
 * (packages/core/dist, what `pnpm build` produced and what users install), each answer checked
 * with the same properties as test/fuzz/http-fuzz.test.ts. Prints the counts per status and per
 * error code, and the elapsed time; exits 1 with the (shrunk) counterexample when a property fails.
 *
 * tsx applies the tsconfig `paths` (which map `@im-callbacks/*` to the TypeScript sources), so the
 * built core is loaded from the path its package.json names, not by its package name. The case
 * generators themselves come from the sources (the catalogue's command list and the samples),
 * which is what the built core was built from.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as Core from '@im-callbacks/core';
import fc from 'fast-check';
import {
  type CallbackCase,
  callbackCase,
  checkCase,
  fuzzReceiverOptions,
  type Observation,
  OutcomeTally,
} from '../test/fuzz/arbitraries';

function parseArgs(argv: readonly string[]): { runs: number; seed: number } {
  let runs = 1_000_000;
  let seed = Date.now() % 2 ** 31;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.split('=', 2) as [string, string | undefined];
    const value = (): number => {
      const text = inline ?? argv[++i];
      const n = Number(text);
      if (text === undefined || !Number.isInteger(n) || n < 0) {
        console.error(`fuzz: ${name} needs a non-negative integer, got ${String(text)}`);
        process.exit(2);
      }
      return n;
    };
    if (name === '--runs') runs = value();
    else if (name === '--seed') seed = value();
    else if (name === '--') continue;
    else {
      console.error(`fuzz: unknown argument ${arg}\nusage: pnpm fuzz [--runs N] [--seed S]`);
      process.exit(2);
    }
  }
  return { runs, seed };
}

/** The built core, as its package.json's `main` (CommonJS) names it. */
function loadBuiltCore(): { core: typeof Core; entry: string } {
  const packageDir = path.resolve(__dirname, '../packages/core');
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { main: string };
  const entry = path.join(packageDir, manifest.main);
  if (!existsSync(entry)) {
    console.error(`fuzz: ${path.relative(process.cwd(), entry)} is missing: run \`pnpm build\` first (pnpm fuzz does)`);
    process.exit(2);
  }
  // By absolute path: past tsx's tsconfig-paths mapping, which would load the sources.
  return { core: require(entry) as typeof Core, entry };
}

interface Collector {
  receiver: Core.CallbackReceiver;
  deliveries: unknown[];
  errors: unknown[];
}

function collector(core: typeof Core, tokenConfigured: boolean): Collector {
  const receiver = core.createReceiver({ ...fuzzReceiverOptions(tokenConfigured), logger: core.silentLogger });
  const c: Collector = { receiver, deliveries: [], errors: [] };
  receiver.onAny((event) => {
    c.deliveries.push(event);
  });
  receiver.onError((error) => {
    c.errors.push(error);
  });
  return c;
}

function table(title: string, rows: readonly (readonly [string, number])[], total: number): string {
  const width = Math.max(title.length, ...rows.map(([label]) => label.length));
  const line = `${'-'.repeat(width)}  ${'-'.repeat(9)}  ${'-'.repeat(6)}`;
  const body = rows.map(
    ([label, n]) => `${label.padEnd(width)}  ${String(n).padStart(9)}  ${((100 * n) / total).toFixed(2).padStart(5)}%`,
  );
  return [`${title.padEnd(width)}  ${'count'.padStart(9)}  ${'share'.padStart(6)}`, line, ...body].join('\n');
}

async function main(): Promise<void> {
  const { runs, seed } = parseArgs(process.argv.slice(2));
  const { core, entry } = loadBuiltCore();
  const signed = collector(core, true);
  const open = collector(core, false);
  const tally = new OutcomeTally();
  const progressEvery = Math.max(1, Math.floor(runs / 10));
  console.log(`fuzz: ${runs} cases, seed ${seed}, core from ${path.relative(process.cwd(), entry)}`);

  let failing = false;
  const started = performance.now();
  const property = fc.asyncProperty(callbackCase(), async (c: CallbackCase) => {
    const app = c.expect.tokenConfigured ? signed : open;
    app.deliveries.length = 0;
    app.errors.length = 0;
    const response = await app.receiver.handle({ query: c.query, body: c.body });
    const observation: Observation = {
      status: response.status,
      body: response.body,
      deliveries: [...app.deliveries],
      errors: [...app.errors],
    };
    try {
      checkCase(c, observation, core.ImCallbackError);
    } catch (failure) {
      failing = true;
      throw failure;
    }
    // Counted until the first failure (not the shrinker's reruns).
    if (!failing) tally.add(c, observation);
    if (tally.total % progressEvery === 0 && tally.total < runs) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`  ${tally.total} cases, ${seconds.toFixed(1)} s\n`);
    }
  });
  const result = await fc.check(property, { numRuns: runs, seed, includeErrorInReport: true });
  const elapsed = performance.now() - started;

  const byStatus = [...tally.byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => [String(s), n] as const);
  const byCode = [...tally.byCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const byBody = [...tally.byBodyKind].sort((a, b) => b[1] - a[1]);
  const total = Math.max(1, tally.total);
  console.log(`\n${table('status', byStatus, total)}\n\n${table('onError code', byCode, total)}`);
  console.log(`\n${table('body kind', byBody, total)}`);
  const rate = tally.total / (elapsed / 1000);
  console.log(
    `\n${tally.total} cases checked in ${(elapsed / 1000).toFixed(1)} s (${Math.round(rate)} cases/s), seed ${seed}`,
  );

  if (result.failed) {
    console.error(`\nPROPERTY FAILED\n${fc.defaultReportMessage(result) ?? ''}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
