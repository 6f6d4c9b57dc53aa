// `pnpm bench` (builds first, then `node bench/run.mjs`; `--quick` for a shorter run, `--only=http,core` for
// some sections).
// Every number compared with a baseline is a ratio measured in this run, the two sides in separate
// processes with alternating rounds. Tables on stdout (Markdown), progress on stderr. Exit code 1
// when a server or worker fails to start or a request fails; a missed target is printed as FAIL
// and does not change the exit code.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { PINNING } from './common.mjs';
import { benchCore } from './core.bench.mjs';
import { benchDiagnostics } from './diagnostics.bench.mjs';
import { benchHttp } from './http.bench.mjs';
import { benchSoak } from './soak.bench.mjs';

const quick = process.argv.includes('--quick');
// `--servers=fastify,hono`: the HTTP section loads only the groups of servers whose names start so.
const servers = process.argv
  .find((arg) => arg.startsWith('--servers='))
  ?.slice('--servers='.length)
  .split(',');
const settings = quick
  ? {
      http: { rounds: 3, seconds: 1, warmup: 0.5, firstWarmup: 1, processes: 3 },
      core: { rounds: 3, ms: 200, warmupMs: 200 },
      soak: { deadlineCount: 1000, slowCount: 10_000, slowConcurrency: 1000, memoryTotal: 200_000 },
    }
  : {
      http: { rounds: 6, seconds: 1.5, warmup: 1, firstWarmup: 3, processes: 3 },
      core: { rounds: 9, ms: 250, warmupMs: 400 },
      soak: { deadlineCount: 1000, slowCount: 10_000, slowConcurrency: 1000, memoryTotal: 1_000_000 },
    };

const progress = (line) => process.stderr.write(`${line}\n`);
const out = (line = '') => process.stdout.write(`${line}\n`);

const cpus = os.cpus();
out(`# im-callbacks bench${quick ? ' (--quick)' : ''}`);
out();
out(
  `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `Node ${process.version}; ${os.type()} ${os.release()} ${os.arch()}; ${new Date().toISOString()}`,
);
out(
  PINNING === null
    ? 'CPU pinning: none (no taskset, or one CPU): servers and load generator share the CPUs as the scheduler decides.'
    : `CPU pinning (taskset): load generator on CPU ${PINNING.client}, each server (all its threads) on CPU ${PINNING.server}.`,
);

// `--rounds=12`: more alternating rounds in the HTTP and core sections (a finer A/B on a noisy machine).
const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.slice('--rounds='.length));
if (rounds > 0) {
  settings.http.rounds = rounds;
  settings.core.rounds = rounds;
}
const { http: h, core: c, soak: s } = settings;
const sections = [
  {
    title: `HTTP: keep-alive loopback, 50 connections, signed Group.CallbackAfterSendMsg; ${h.rounds} alternating rounds of ${h.seconds} s per server, ${h.processes} processes of each server taking the rounds in turn (each after ${h.firstWarmup} s warm-up at the first body size, ${h.warmup} s at the next), median req/s`,
    run: () => benchHttp({ ...h, progress, servers }),
  },
  {
    title: `Core in-process: receiver.handle (signed, sync handler) vs JSON.parse + SHA-256 Sign check on the same bytes; ${c.rounds} alternating rounds of ${c.ms} ms, median ns/op`,
    run: () => benchCore({ ...c, progress }),
  },
  {
    title: `Diagnostics channel: the core pipeline with no subscriber, a no-op subscriber, @im-callbacks/inspector, @im-callbacks/opentelemetry (SDK, every span exported), each vs JSON.parse + Sign; ${c.rounds} alternating rounds of ${c.ms} ms, median ns/op`,
    run: () => benchDiagnostics({ ...c, progress, core: sections[1].result }),
  },
  {
    title: 'Load and soak: client and servers in separate processes; the million in one process',
    run: () => benchSoak({ ...s, progress }),
  },
];

// `--only=http,core` runs those sections (by the first word of their title, lower-cased); default all.
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const chosen =
  only === undefined
    ? sections
    : sections.filter((section) => only.includes(section.title.split(/[ :]/)[0].toLowerCase()));

const problems = [];
const timings = [];
const started = performance.now();
for (const section of chosen) {
  out();
  out(`## ${section.title}`);
  out();
  progress(`${section.title.split(':')[0]}...`);
  const t0 = performance.now();
  try {
    const result = await section.run();
    section.result = result;
    out(result.table);
    for (const error of result.errors) {
      problems.push(error);
      out(`ERROR: ${error}`);
    }
  } catch (error) {
    problems.push(error.stack ?? String(error));
    out(`ERROR: section did not complete: ${error.stack ?? error}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  timings.push(`${section.title.split(':')[0]} ${seconds.toFixed(0)} s`);
  out();
  out(`(${seconds.toFixed(0)} s)`);
}
out();
out(`Timings: ${timings.join(', ')}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (problems.length > 0) {
  out(`${problems.length} error(s): the run is incomplete or requests failed (exit 1).`);
  process.exitCode = 1;
}
