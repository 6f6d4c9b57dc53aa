// One side of the core comparison, in a child process of its own: `node bench/core.worker.mjs <side>`.
//   pipeline: receiver.handle({ query, body: Buffer }) through a signed receiver with a synchronous
//             handler (verify the query and Sign, read, parse, validate, dispatch, answer), awaited;
//   baseline: JSON.parse of the same bytes + the SdkAppid / RequestTime / SHA-256 Sign check with
//             node:crypto on the query's values (already split out: no query parsing at all).
// Call `round { command, size, ms }`: runs the side for about `ms` and answers ns per operation.
import { allow, createReceiver, silentLogger } from '@im-callbacks/core';
import { APP, BEFORE, bodyBytes, handCheck, serveParent, signedQuery, TOKEN } from './common.mjs';

const side = process.argv[2];
if (side !== 'pipeline' && side !== 'baseline') throw new Error(`side must be pipeline or baseline, got ${side}`);

const BATCH = 256;
const cases = new Map();

function caseOf(command, size) {
  const key = `${command} ${size}`;
  let found = cases.get(key);
  if (found === undefined) {
    found = { bytes: bodyBytes(command, size), handled: 0 };
    if (side === 'pipeline') {
      found.receiver = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
      const handled = () => {
        found.handled++;
        return command === BEFORE ? allow() : undefined;
      };
      found.receiver.on(command, handled);
      found.receiver.onError((error) => {
        found.refused ??= `${error.code}: ${error.message}`;
      });
    }
    cases.set(key, found);
  }
  return found;
}

let sink = 0;

async function pipelineRound(c, query, until) {
  const request = { query, body: c.bytes };
  const before = c.handled;
  let ops = 0;
  let response;
  do {
    for (let i = 0; i < BATCH; i++) response = await c.receiver.handle(request);
    ops += BATCH;
    // A subscriber that defers work to the next turn of the event loop (the inspector) does it here,
    // inside the measured time (diagnostics.worker.mjs sets it; undefined everywhere else).
    if (globalThis.imBenchAfterBatch !== undefined) await globalThis.imBenchAfterBatch();
  } while (process.hrtime.bigint() < until);
  if (c.refused) throw new Error(`the pipeline reported an error: ${c.refused}`);
  if (response.status !== 200) throw new Error(`pipeline answered ${response.status} ${response.body}`);
  if (c.handled - before !== ops) throw new Error(`${ops} requests, ${c.handled - before} handled`);
  return ops;
}

function baselineRound(c, query, until) {
  const params = new URLSearchParams(query);
  const sdkAppId = params.get('SdkAppid');
  const requestTime = params.get('RequestTime');
  const sign = params.get('Sign');
  const bytes = c.bytes;
  let ops = 0;
  do {
    for (let i = 0; i < BATCH; i++) {
      const json = JSON.parse(bytes.toString('utf8'));
      if (handCheck(sdkAppId, requestTime, sign) !== 0) throw new Error('baseline Sign check failed');
      sink += json.MsgBody.length;
    }
    ops += BATCH;
  } while (process.hrtime.bigint() < until);
  return ops;
}

serveParent({
  async round({ command, size, ms }) {
    const c = caseOf(command, size);
    // Signed now: a round is far shorter than the 60 s RequestTime window.
    const query = signedQuery(command);
    const start = process.hrtime.bigint();
    const until = start + BigInt(Math.round(ms * 1e6));
    const ops = side === 'pipeline' ? await pipelineRound(c, query, until) : baselineRound(c, query, until);
    const ns = Number(process.hrtime.bigint() - start) / ops;
    return { ns, ops, bytes: c.bytes.length, sink: sink > 0 };
  },
});
