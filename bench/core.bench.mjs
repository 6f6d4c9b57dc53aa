// Section 2, core in-process: the whole pipeline (receiver.handle: verify query and Sign, read,
// parse, validate, dispatch to a synchronous handler, answer) against JSON.parse of the same bytes +
// the SHA-256 Sign check. Each side runs in a child process of its own (see core.worker.mjs); their
// rounds alternate (baseline, pipeline, baseline...). Target (DESIGN.md "Speed"): within 2x.
import { AFTER, BEFORE, fixed, int, kb, median, SIZES, startChild, table, verdict } from './common.mjs';

export const CORE_TARGET = 2.0;

export async function benchCore({ rounds, ms, warmupMs, progress = () => {} }) {
  const baseline = startChild('core.worker.mjs', ['baseline'], { cpu: 'server' });
  const pipeline = startChild('core.worker.mjs', ['pipeline'], { cpu: 'server' });
  const rows = [];
  try {
    for (const [command, kind] of [
      [AFTER, 'after'],
      [BEFORE, 'before'],
    ]) {
      for (const size of SIZES) {
        const job = { command, size };
        await baseline.call('round', { ...job, ms: warmupMs });
        await pipeline.call('round', { ...job, ms: warmupMs });
        const base = [];
        const ours = [];
        let bytes;
        for (let round = 0; round < rounds; round++) {
          base.push((await baseline.call('round', { ...job, ms })).ns);
          const result = await pipeline.call('round', { ...job, ms });
          ours.push(result.ns);
          bytes = result.bytes;
        }
        const ratio = median(ours) / median(base);
        const perRound = ours.map((value, i) => value / base[i]);
        progress(`  ${command} ${kb(bytes)}: baseline ${int(median(base))} ns, pipeline ${int(median(ours))} ns`);
        rows.push({
          case: `${command} (${kind}, signed)`,
          body: kb(bytes),
          'JSON.parse + Sign ns/op': int(median(base)),
          'pipeline ns/op': int(median(ours)),
          ratio: fixed(ratio),
          'round ratios': `${fixed(Math.min(...perRound))}–${fixed(Math.max(...perRound))}`,
          target: `≤ ${fixed(CORE_TARGET)}`,
          result: verdict(ratio <= CORE_TARGET),
        });
      }
    }
  } finally {
    await Promise.all([baseline.stop(), pipeline.stop()]);
  }
  return { rows, errors: [], table: table(rows) };
}
