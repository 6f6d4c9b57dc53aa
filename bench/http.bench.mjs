// Section 1, HTTP: each adapter against the server a user would write by hand, every server in a
// child process of its own, the load generator in another. Servers that are compared run side by
// side and are loaded in turn (base, ours, base, ours... one round each), so drift hits all alike;
// each ratio is median(ours) / median(base) over the same rounds of the same run. Next to it, the
// server process's CPU time per request (median over rounds) and base CPU / ours CPU: a cross-check
// that other processes on the machine disturb less than they disturb req/s.
import { AFTER, BUN, DENO, fixed, int, kb, median, SIZES, startChild, table, verdict } from './common.mjs';

/** Servers loaded in turn with each other; a pair's two servers are always in the same group. */
const GROUPS = [
  ['fastify-route', 'fastify-plugin', 'node-raw'],
  ['fetch-bridge-hand', 'fetch-bridge'],
  ['hono-route', 'hono-fetch'],
  // On Bun (left out where the root devDependency's binary is missing).
  ...(BUN === undefined ? [] : [['bun-route', 'bun-fetch']]),
  // On Deno (likewise).
  ...(DENO === undefined ? [] : [['deno-route', 'deno-fetch']]),
  ['express-route', 'express-adapter'],
  ['koa-route', 'koa-adapter'],
];

/** Where each server kind runs: Bun's on Bun and Deno's on Deno, from bun.server.mjs; the rest on Node. */
const serverOf = (kind) =>
  kind.startsWith('bun-')
    ? { file: 'bun.server.mjs', runtime: BUN }
    : kind.startsWith('deno-')
      ? { file: 'bun.server.mjs', runtime: DENO, execArgv: ['run', '-A'] }
      : { file: 'http.server.mjs', runtime: undefined };
/** A server that only drains and answers: what the load generator can drive at most. */
const CEILING = 'node-ack';

/** Targets (DESIGN.md "Speed"): adapters at least as fast as the hand-written route; Fastify within 10 % of node:http. */
export const PAIRS = [
  { name: 'Fastify plugin / hand-written Fastify route', ours: 'fastify-plugin', base: 'fastify-route', target: 1.0 },
  { name: 'Fastify plugin / raw node:http by hand', ours: 'fastify-plugin', base: 'node-raw', target: 0.9 },
  { name: 'Express adapter / express.json() route', ours: 'express-adapter', base: 'express-route', target: 1.0 },
  { name: 'Koa adapter (@koa/router) / @koa/bodyparser route', ours: 'koa-adapter', base: 'koa-route', target: 1.0 },
  {
    name: 'fetch handler (node:http bridge) / the same bridge by hand',
    ours: 'fetch-bridge',
    base: 'fetch-bridge-hand',
    target: 0.9,
  },
  { name: 'fetch handler behind Hono / hand-written Hono route', ours: 'hono-fetch', base: 'hono-route', target: 0.9 },
  { name: 'fetch handler on Bun / hand-written Bun route', ours: 'bun-fetch', base: 'bun-route', target: 0.9 },
  { name: 'fetch handler on Deno / hand-written Deno route', ours: 'deno-fetch', base: 'deno-route', target: 0.9 },
];

function series(store, kind, size) {
  store[kind] ??= {};
  store[kind][size] ??= [];
  return store[kind][size];
}

export async function benchHttp({
  rounds,
  seconds,
  warmup,
  firstWarmup = warmup,
  processes = 1,
  concurrency = 50,
  progress = () => {},
  servers,
}) {
  const groups =
    servers === undefined ? GROUPS : GROUPS.filter((group) => servers.some((prefix) => group[0].startsWith(prefix)));
  const errors = [];
  const rps = {}; // rps[server][size] = [req/s of each round]
  const cpu = {}; // cpu[server][size] = [server CPU µs per request of each round]
  const ceilings = {};
  const client = startChild('http.client.mjs', [], { cpu: 'client' });
  try {
    for (const group of groups) {
      // `processes` server processes of each kind, taking the rounds in turn: the same code can run
      // 10-40 % faster or slower in one process than in another for its whole life, and a ratio of
      // two single processes would measure that draw.
      const running = {};
      try {
        for (const kind of group) {
          running[kind] = [];
          for (let i = 0; i < processes; i++) {
            const { file, runtime, execArgv } = serverOf(kind);
            const child = startChild(file, [kind], { cpu: 'server', runtime, execArgv });
            running[kind].push(child);
            child.port = (await child.call('start')).port;
          }
        }
        for (const size of SIZES) {
          const load = async (kind, time, round) => {
            const server = running[kind][round % processes];
            const cpuBefore = await server.call('cpu');
            const result = await client.call('run', {
              port: server.port,
              command: AFTER,
              size,
              seconds: time,
              concurrency,
            });
            result.cpu = ((await server.call('cpu')).us - cpuBefore.us) / Math.max(1, result.completed);
            if (result.failures > 0) {
              errors.push(`${kind} ${kb(size)}: ${result.failures} failed requests (first: ${result.firstFailure})`);
            }
            return result;
          };
          // A new process's first size gets the longer warm-up, so every round is steady state
          // (why: bench/README.md, "Alternating rounds").
          const time = size === SIZES[0] ? firstWarmup : warmup;
          for (let i = 0; i < processes; i++) for (const kind of group) await load(kind, time, i);
          for (let round = 0; round < rounds; round++) {
            const line = [];
            for (const kind of group) {
              const { rps: value, cpu: us } = await load(kind, seconds, round);
              series(rps, kind, size).push(value);
              series(cpu, kind, size).push(us);
              line.push(`${kind} ${int(value)} (${fixed(us, 0)} µs)`);
            }
            progress(`  ${kb(size)} round ${round + 1}/${rounds}: ${line.join(', ')}`);
          }
        }
        // Every answered request was dispatched to a handler (or the hand-written equivalent).
        for (const kind of group) {
          for (const server of running[kind]) {
            const stats = await server.call('stats');
            if (stats.handled === 0) errors.push(`${kind}: no request reached a handler`);
            if (stats.errors > 0)
              errors.push(`${kind}: ${stats.errors} errors reported ${JSON.stringify(stats.errorCodes)}`);
          }
        }
      } finally {
        await Promise.all(
          Object.values(running)
            .flat()
            .map((child) => child.stop()),
        );
      }
    }
    // The load generator's ceiling, once per size (after the rounds, so it takes nothing from them).
    const ceiling = startChild('http.server.mjs', [CEILING], { cpu: 'server' });
    try {
      const { port } = await ceiling.call('start');
      for (const size of SIZES) {
        const job = { port, command: AFTER, size, concurrency };
        await client.call('run', { ...job, seconds: warmup });
        ceilings[size] = (await client.call('run', { ...job, seconds })).rps;
      }
    } finally {
      await ceiling.stop();
    }
  } finally {
    await client.stop();
  }

  const rows = [];
  for (const pair of PAIRS) {
    if (rps[pair.ours] === undefined || rps[pair.base] === undefined) continue;
    for (const size of SIZES) {
      const base = rps[pair.base][size];
      const ours = rps[pair.ours][size];
      const ratio = median(ours) / median(base);
      const perRound = ours.map((value, i) => value / base[i]);
      const baseCpu = median(cpu[pair.base][size]);
      const oursCpu = median(cpu[pair.ours][size]);
      rows.push({
        'ours / base': pair.name,
        body: kb(size),
        'base req/s': int(median(base)),
        'ours req/s': int(median(ours)),
        ratio: fixed(ratio),
        'round ratios': `${fixed(Math.min(...perRound))}–${fixed(Math.max(...perRound))}`,
        'CPU µs/req base, ours': `${fixed(baseCpu, 0)}, ${fixed(oursCpu, 0)}`,
        'CPU ratio': fixed(baseCpu / oursCpu),
        target: pair.target === undefined ? '(none)' : `≥ ${fixed(pair.target)}`,
        result: pair.target === undefined ? '—' : verdict(ratio >= pair.target),
      });
    }
  }
  const note =
    `Load generator ceiling (a node:http server that only drains the body and answers): ` +
    `${SIZES.map((size) => `${int(ceilings[size])} req/s at ${kb(size)}`).join(', ')}. ` +
    'A server whose req/s comes near it is partly measuring the client: read its CPU ratio.';
  return { rows, errors, ceilings, table: `${table(rows)}\n\n${note}` };
}
