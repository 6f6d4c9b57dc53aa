// Section 4, the `im-callbacks:callback` tracing channel: what it costs the core pipeline with no
// subscriber, with a subscriber that does nothing, with @im-callbacks/inspector, and with
// @im-callbacks/opentelemetry and the OpenTelemetry SDK. Five processes, one per side, their rounds alternating (baseline, pipeline,
// no-op, OpenTelemetry...): the baseline (JSON.parse + SHA-256 Sign check) and the pipeline are
// core.worker.mjs's sides, the two subscribed sides diagnostics.worker.mjs (the same pipeline code
// with a subscriber set up first). Every side is a ratio to the baseline of the same rounds; the
// core section's ratio (measured earlier in the same run, before any subscriber existed anywhere)
// is printed next to this section's no-subscriber ratio: together they show whether the channel
// without a subscriber costs anything measurable.
import { AFTER, BEFORE, fixed, int, kb, median, SIZES, startChild, table } from './common.mjs';

/** The core section's cases: after- and before-callbacks, each body size. */
const CASES = [
  [AFTER, 'after'],
  [BEFORE, 'before'],
].flatMap(([command, kind]) => SIZES.map((size) => [command, kind, size]));

/** `core`: the core section's result in this run (its rows give its pipeline ratio per case), when it ran. */
export async function benchDiagnostics({ rounds, ms, warmupMs, progress = () => {}, core }) {
  const sides = [
    ['baseline', startChild('core.worker.mjs', ['baseline'], { cpu: 'server' })],
    ['pipeline', startChild('core.worker.mjs', ['pipeline'], { cpu: 'server' })],
    ['noop', startChild('diagnostics.worker.mjs', ['noop'], { cpu: 'server' })],
    ['otel', startChild('diagnostics.worker.mjs', ['otel'], { cpu: 'server' })],
    ['inspector', startChild('diagnostics.worker.mjs', ['inspector'], { cpu: 'server' })],
  ];
  const rows = [];
  const errors = [];
  try {
    for (const [command, kind, size] of CASES) {
      const job = { command, size };
      for (const [, side] of sides) await side.call('round', { ...job, ms: warmupMs });
      const ns = Object.fromEntries(sides.map(([name]) => [name, []]));
      let bytes;
      for (let round = 0; round < rounds; round++) {
        for (const [name, side] of sides) {
          const result = await side.call('round', { ...job, ms });
          ns[name].push(result.ns);
          bytes = result.bytes;
        }
      }
      const m = Object.fromEntries(Object.entries(ns).map(([name, list]) => [name, median(list)]));
      const coreRow = core?.rows?.find((row) => row.case.startsWith(`${command} `) && row.body === kb(bytes));
      progress(
        `  ${command} ${kb(bytes)}: baseline ${int(m.baseline)}, pipeline ${int(m.pipeline)}, no-op ${int(m.noop)}, inspector ${int(m.inspector)}, OpenTelemetry ${int(m.otel)} ns`,
      );
      rows.push({
        case: `${command} (${kind})`,
        body: kb(bytes),
        'JSON.parse + Sign ns/op': int(m.baseline),
        'core section ratio': coreRow?.ratio ?? '-',
        'no subscriber ratio': fixed(m.pipeline / m.baseline),
        'no-op subscriber ratio': fixed(m.noop / m.baseline),
        'inspector ratio': fixed(m.inspector / m.baseline),
        'OpenTelemetry ratio': fixed(m.otel / m.baseline),
        'no-op / none': fixed(m.noop / m.pipeline),
        'inspector / none': fixed(m.inspector / m.pipeline),
        'inspector ns/callback': int(m.inspector - m.pipeline),
        'OpenTelemetry / none': fixed(m.otel / m.pipeline),
        'OpenTelemetry ns/callback': int(m.otel - m.pipeline),
      });
    }
    const spans = await sides[3][1].call('spans');
    if (!(spans > 0)) errors.push(`the OpenTelemetry side exported no span (${spans})`);
    const records = await sides[4][1].call('records');
    if (records !== 200) errors.push(`the inspector side kept ${records} records, not 200`);
  } finally {
    await Promise.all(sides.map(([, side]) => side.stop()));
  }
  return { rows, errors, table: table(rows) };
}
