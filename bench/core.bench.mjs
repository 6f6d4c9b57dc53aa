// Core pipeline cost against JSON.parse of the same bytes, in the same process.
// `pnpm bench` builds first; this file imports the built packages.
import { createReceiver, silentLogger } from '@im-callbacks/core';
import { buildRequest, sample } from '@im-callbacks/testing';

const APP = 1400000000;
const TOKEN = 'bench-token';

function measure(fn, { iterations, warmup = Math.min(iterations, 20_000) }) {
  for (let i = 0; i < warmup; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations; // ns per op
}

async function measureAsync(fn, { iterations, warmup = Math.min(iterations, 20_000) }) {
  for (let i = 0; i < warmup; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

export async function benchCore({ iterations = 100_000 } = {}) {
  const rows = [];
  for (const [command, token] of [
    ['Group.CallbackAfterSendMsg', undefined],
    ['Group.CallbackAfterSendMsg', TOKEN],
    ['Group.CallbackBeforeSendMsg', TOKEN],
  ]) {
    const receiver = createReceiver({ sdkAppId: APP, token, logger: silentLogger });
    let seen = 0;
    receiver.on(command, () => {
      seen++;
      return undefined;
    });
    const built = buildRequest(command, sample(command), { sdkAppId: APP, token });
    const bytes = Buffer.from(built.body);
    // Same input for both: the body's bytes. The baseline decodes and parses; the pipeline also
    // verifies the query (and Sign), validates, dispatches and serialises the answer.
    const baseline = measure(() => JSON.parse(bytes.toString('utf8')), { iterations });
    const pipeline = await measureAsync(() => receiver.handle({ query: built.query, body: bytes }), { iterations });
    if (seen === 0) throw new Error('handler never ran');
    rows.push({
      case: `${command}${token ? ' (signed)' : ''}`,
      bytes: bytes.length,
      'JSON.parse ns': Math.round(baseline),
      'pipeline ns': Math.round(pipeline),
      ratio: +(pipeline / baseline).toFixed(2),
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchCore());
}
