// Soak, in a child process of its own run with --expose-gc: `total` callbacks through one receiver
// (receiver.handle, no HTTP), after- and before-callbacks in turn, every one different (MsgSeq /
// Random, RequestID), signed once per second. At each `sampleAt` count: global.gc() (twice), then
// RSS and heap. At each `restAt` count, also: wait idle until V8's memory reducer has shrunk the
// young generation back to its starting size (as it does in a server between bursts), then the
// same sample ("at rest"). Call `run { total, sampleAt, restAt }`.
// `node bench/memory.worker.mjs control`: the same loop with the receiver replaced by what a
// hand-written receiver does (URLSearchParams, JSON.parse, Sign check, in an async function), to
// tell the receiver's memory from Node's and this loop's.
import v8 from 'node:v8';
import { allow, createReceiver, silentLogger } from '@im-callbacks/core';
import { AFTER, APP, BEFORE, bodyBytes, handCheck, querySource, serveParent, TOKEN } from './common.mjs';

if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');

const MARK = 987654321;

function template(command, field) {
  const [head, tail] = bodyBytes(command, 600, { [field]: MARK })
    .toString()
    .split(String(MARK));
  return { head, tail, query: querySource(command) };
}

const newSpaceSize = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits, idle, until V8's memory reducer has shrunk the young generation back to its starting size
 * (it does so some seconds after allocation stops, as in a server between bursts), at most
 * `maxMs`. Returns how long that took, or undefined when it did not happen in time.
 */
async function atRest(startNewSpace, maxMs = 30_000) {
  const started = performance.now();
  while (performance.now() - started < maxMs) {
    // V8 shrinks the young generation at a GC once the isolate has been idle for a while.
    global.gc();
    if (newSpaceSize() <= startNewSpace) return performance.now() - started;
    await sleep(500);
  }
  return undefined;
}

function sample(at) {
  global.gc();
  global.gc();
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  return {
    at,
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external + usage.arrayBuffers,
    newSpace: spaces.new_space,
    code: spaces.code_space,
  };
}

const control = process.argv[2] === 'control';

/** The control: a hand-written receiver's work, with receiver.handle's shape. */
function handWritten(counts) {
  return {
    async handle({ query, body }) {
      const params = new URLSearchParams(query);
      const json = JSON.parse(body.toString('utf8'));
      if (handCheck(params.get('SdkAppid'), params.get('RequestTime'), params.get('Sign')) !== 0) {
        return { status: 401 };
      }
      if (json.CallbackCommand === AFTER) counts.after();
      else counts.before();
      return { status: 200 };
    },
  };
}

serveParent({
  async run({ total, sampleAt, restAt = [] }) {
    let after = 0;
    let before = 0;
    let errors = 0;
    let firstError;
    const receiver = control
      ? handWritten({ after: () => after++, before: () => before++ })
      : createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
    if (!control) {
      receiver.on(AFTER, () => {
        after++;
      });
      receiver.on(BEFORE, () => {
        before++;
        return allow();
      });
      receiver.onError((error) => {
        errors++;
        firstError ??= `${error.code}: ${error.message}`;
      });
    }
    const kinds = [template(AFTER, 'MsgSeq'), template(BEFORE, 'Random')];
    const marks = new Set(sampleAt);
    const rests = new Set(restAt);
    const samples = [sample(0)];
    const startNewSpace = samples[0].newSpace;
    const rested = [];
    let restMs = 0;
    let not200 = 0;
    const start = process.hrtime.bigint();
    for (let i = 1; i <= total; i++) {
      const kind = kinds[i & 1];
      const response = await receiver.handle({
        query: `${kind.query()}&RequestID=bench-${i}`,
        body: Buffer.from(`${kind.head}${i}${kind.tail}`),
      });
      if (response.status !== 200) not200++;
      if (marks.has(i)) samples.push(sample(i));
      if (rests.has(i)) {
        const restStart = performance.now();
        const waited = await atRest(startNewSpace);
        rested.push({ ...sample(i), waited });
        restMs += performance.now() - restStart;
      }
    }
    // The callbacks' time, without the idle waits.
    const seconds = Number(process.hrtime.bigint() - start) / 1e9 - restMs / 1000;
    return { samples, rested, seconds, after, before, errors, firstError, not200 };
  },
});
