// Section 4, load and soak. Servers and the client each in a child process of their own:
//   deadline: 1,000 before-callbacks at once whose handlers never settle; the receiver's deadline
//             (1500 ms, set explicitly, counted from each request's arrival) must answer every one
//             with the allow fallback. Answer time is measured by the client, from handing the
//             request's bytes to the socket to reading the answer, over 1,000 raw keep-alive
//             connections opened just before (one request each of the other command), so a storm of
//             handshakes against the listen backlog is not what is measured. The server's own answer
//             times (headers parsed → answer written) are shown next to them.
//             Target: client p99 ≤ deadline + 50 ms, every answer 200 with the OK body. First the
//             floor: the same burst against node:http answering each request by a plain
//             setTimeout(deadline), no parsing, no checks: how far over the deadline this machine
//             answers 1,000 at once at the least.
//   slow:     10,000 after-callbacks (each its own MsgSeq), 1,000 in flight over connections
//             opened the same way, handlers taking 100 ms; the server counts each MsgSeq its
//             handlers finished. Target: all 10,000 delivered once, all answered 200.
//   memory:   1,000,000 callbacks through one receiver in one process (memory.worker.mjs). Target:
//             RSS after gc at 1 M within 10 % of RSS after gc at 100 k. The same loop without the
//             receiver (a hand-written check) runs as a control, in its own process; both run once
//             with Node's defaults and once with V8's young generation fixed at its grown size.
import { AFTER, BEFORE, fixed, int, mib, startChild, table, verdict } from './common.mjs';

const DEADLINE = 1500;
const ADAPTERS = ['fastify-plugin', 'express-adapter', 'koa-adapter', 'fetch-bridge'];
/** node:http answering every request by a plain setTimeout(DEADLINE): the burst's floor on this machine. */
const FLOOR = 'node-deadline';

async function withServer(kind, options, use) {
  const server = startChild('http.server.mjs', [kind, JSON.stringify(options)], { cpu: 'server' });
  try {
    const { port } = await server.call('start');
    return await use(port, server);
  } finally {
    await server.stop();
  }
}

const statusText = (statuses) =>
  Object.entries(statuses)
    .map(([status, n]) => `${int(n)}× ${status === '0' ? 'error' : status}`)
    .join(', ');

export async function benchSoak({ deadlineCount, slowCount, slowConcurrency, memoryTotal, progress = () => {} }) {
  const errors = [];
  const rows = [];
  const client = startChild('http.client.mjs', [], { cpu: 'client' });
  try {
    const limit = DEADLINE + 50;
    const ms = ({ p50, p99, max }) => `${fixed(p50, 0)} / ${fixed(p99, 0)} / ${fixed(max, 0)} ms`;
    for (const kind of [FLOOR, ...ADAPTERS]) {
      // ---- handlers that never answer (the floor: a plain setTimeout answers)
      const options = { handler: 'hang', deadline: DEADLINE, timing: BEFORE };
      const hung = await withServer(kind, options, async (port, server) => {
        const result = await client.call('burst', {
          port,
          command: BEFORE,
          size: 600,
          count: deadlineCount,
          concurrency: deadlineCount,
          warmCommand: AFTER,
        });
        return { ...result, stats: await server.call('stats') };
      });
      if (hung.failures > 0) errors.push(`${kind} deadline: ${hung.failures} failed (first: ${hung.firstFailure})`);
      const server = hung.stats.timing;
      progress(`  ${kind} deadline: client ${ms(hung)}, server ${server ? ms(server) : '?'} (p50 / p99 / max)`);
      const floor = kind === FLOOR;
      rows.push({
        test: floor
          ? `the floor: ${int(deadlineCount)} requests at once answered by a plain setTimeout(${DEADLINE}) in node:http`
          : `${int(deadlineCount)} before-callbacks at once, handlers never answer (deadline ${DEADLINE} ms)`,
        server: kind,
        measured:
          `client p50/p99/max ${ms(hung)} (server ${server ? ms(server) : '?'}); ` +
          `${statusText(hung.statuses)}` +
          `${hung.failures ? `, ${hung.failures} not OK` : ', all OK body'}`,
        target: floor ? '(none: what this machine allows)' : `p99 ≤ ${limit} ms, all 200 OK`,
        result: floor
          ? hung.failures === 0 && hung.answered === deadlineCount
            ? `p99 ${fixed(hung.p99 - DEADLINE, 0)} ms over`
            : 'FAIL'
          : verdict(hung.p99 <= limit && hung.failures === 0 && hung.answered === deadlineCount),
      });
      if (floor) continue;

      // ---- slow handlers, nothing lost
      const slow = await withServer(kind, { handler: 'slow' }, async (port, server) => {
        const result = await client.call('burst', {
          port,
          command: AFTER,
          size: 600,
          count: slowCount,
          concurrency: slowConcurrency,
          unique: true,
          warmCommand: BEFORE,
        });
        return { ...result, stats: await server.call('stats') };
      });
      if (slow.failures > 0) errors.push(`${kind} slow: ${slow.failures} failed (first: ${slow.firstFailure})`);
      const { delivered, unique, duplicates } = slow.stats;
      progress(`  ${kind} slow: ${delivered} delivered (${unique} unique) in ${fixed(slow.wall / 1000, 1)} s`);
      rows.push({
        test: `${int(slowCount)} after-callbacks, 100 ms handlers, ${int(slowConcurrency)} in flight`,
        server: kind,
        measured: `${int(unique)} delivered (${duplicates} twice), ${statusText(slow.statuses)}; ${fixed(slow.wall / 1000, 1)} s, p99 ${fixed(slow.p99, 0)} ms`,
        target: `${int(slowCount)} delivered, all 200`,
        result: verdict(unique === slowCount && duplicates === 0 && slow.failures === 0 && slow.answered === slowCount),
      });
    }
  } finally {
    await client.stop();
  }

  // ---- a million callbacks, one receiver: with Node's default flags, then with the young
  // generation fixed at the size V8 grows it to (so RSS shows what is retained, not V8 resizing
  // its nursery). Receiver and control run side by side, one process each.
  const first = memoryTotal / 10;
  const marks = [first, memoryTotal / 4, memoryTotal / 2, memoryTotal];
  const million = async (args, flags, restAt) => {
    const worker = startChild('memory.worker.mjs', args, { execArgv: ['--expose-gc', ...flags] });
    try {
      return await worker.call('run', { total: memoryTotal, sampleAt: marks, restAt });
    } finally {
      await worker.stop();
    }
  };
  const describeRun = (name, samples, seconds) => {
    const at = (count) => samples.find((sample) => sample.at === count);
    const growth = at(memoryTotal).rss / at(first).rss - 1;
    const list = samples.map(
      (sample) =>
        `${int(sample.at)}: ${mib(sample.rss)} (heap ${mib(sample.heapUsed)}, new space ${mib(sample.newSpace)}` +
        `${sample.waited === undefined ? '' : `, at rest after ${fixed(sample.waited / 1000, 1)} s idle`})`,
    );
    progress(`  ${name}: ${list.join('; ')}`);
    const sign = growth >= 0 ? '+' : '';
    return {
      growth,
      measured:
        `RSS ${mib(at(first).rss)} at ${int(first)} → ${mib(at(memoryTotal).rss)} at ${int(memoryTotal)} ` +
        `(${sign}${fixed(growth * 100, 1)} %); heap used ${mib(at(first).heapUsed)} → ${mib(at(memoryTotal).heapUsed)}, ` +
        `V8 new space ${mib(at(first).newSpace)} → ${mib(at(memoryTotal).newSpace)}; ${fixed(seconds, 1)} s`,
    };
  };
  const runs = {};
  // With Node's defaults, RSS is read twice at 100 k and at 1 M: right after gc() (V8's young
  // generation has grown under the load; the control grows the same), and at rest, once V8's memory
  // reducer has shrunk the young generation back, as it does in a server between bursts (what is
  // left is what the process keeps). With the young generation fixed, right after gc() only.
  const variants = [
    ['default V8 flags', [], [first, memoryTotal]],
    [
      'young generation fixed (--min/max-semi-space-size=16)',
      ['--min-semi-space-size=16', '--max-semi-space-size=16'],
      [],
    ],
  ];
  for (const [label, flags, restAt] of variants) {
    const [memory, control] = await Promise.all([million([], flags, restAt), million(['control'], flags, restAt)]);
    runs[label] = { memory, control };
    if (memory.not200 > 0 || memory.errors > 0) {
      errors.push(`memory: ${memory.not200} answers not 200, ${memory.errors} errors (first: ${memory.firstError})`);
    }
    const delivered = memory.not200 === 0 && memory.after + memory.before === memoryTotal;
    const views = [[`${label}, right after gc()`, (run) => run.samples]];
    if (restAt.length > 0) {
      views.push([`${label}, at rest (V8's memory reducer has run)`, (run) => run.rested]);
      if (
        memory.rested.some((sample) => sample.waited === undefined) ||
        control.rested.some((s) => s.waited === undefined)
      ) {
        errors.push(`memory, ${label}: V8's memory reducer did not shrink the young generation within 20 s`);
      }
    }
    for (const [view, samplesOf] of views) {
      const ours = describeRun(`memory, ${view}`, samplesOf(memory), memory.seconds);
      const theirs = describeRun(`memory control, ${view}`, samplesOf(control), control.seconds);
      // Right after gc() with Node's defaults, RSS holds however far V8 grew its young generation:
      // shown, with the control beside it, but not the measure of what the receiver keeps.
      const gated = restAt.length === 0 || view.endsWith("(V8's memory reducer has run)");
      rows.push({
        test: `${int(memoryTotal)} callbacks, one receiver, in-process; ${view}`,
        server: 'receiver.handle',
        measured: ours.measured,
        target: gated
          ? `RSS at ${int(memoryTotal)} within 10 % of ${int(first)}`
          : '(V8 young-generation growth; see control)',
        result: gated ? verdict(Math.abs(ours.growth) <= 0.1 && delivered) : '—',
      });
      rows.push({
        test: `  control: the same loop, a hand-written check instead; ${view}`,
        server: 'JSON.parse + Sign',
        measured: theirs.measured,
        target: '(reference)',
        result: '—',
      });
    }
  }
  return { rows, errors, table: table(rows), memory: runs };
}
