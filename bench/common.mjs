// Shared by the bench parent and its children: the app, the bodies, the hand-written checks, small
// statistics, the table printer, and a request/answer channel over the child-process IPC pipe.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildRequest, jsonFromDocExample, sample, seedAfterSendMsgZh } from '@im-callbacks/testing';

export const APP = 1400000000;
export const TOKEN = 'bench-token';
export const AFTER = 'Group.CallbackAfterSendMsg';
export const BEFORE = 'Group.CallbackBeforeSendMsg';
export const PATH = '/im/callback';
/** The ack every server sends for an after-callback (and the allow fallback of a before-callback). */
export const ACK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
export const ACK_TEXT = JSON.stringify(ACK);
/** Body sizes: ~600 B (a typical text message) and ~12 KB (a long message or a big CloudCustomData). */
export const SIZES = [600, 12 * 1024];

/** The body object: the seed page's after-callback, or the catalogue sample of the before-callback. */
function baseBody(command) {
  if (command === AFTER) return JSON.parse(jsonFromDocExample(seedAfterSendMsgZh));
  // The sample spells EventTime as a string of digits; real traffic sends a number.
  if (command === BEFORE) return { ...sample(BEFORE), EventTime: 1670574414123 };
  throw new Error(`no bench body for ${command}`);
}

/**
 * The body of `command`, `size` bytes exactly: the text element's Text padded with words. `fields`
 * are set on the body first (MsgSeq, Random... to make bodies unique). EventTime stays a number.
 */
export function bodyObject(command, size, fields = {}) {
  const body = { ...baseBody(command), ...fields };
  const element = body.MsgBody[0];
  const bare = Buffer.byteLength(JSON.stringify(body));
  if (bare > size) throw new Error(`${command} is ${bare} B before padding, more than ${size}`);
  const words = ' red packet, happy new year';
  const pad = size - bare;
  element.MsgContent = { Text: element.MsgContent.Text + words.repeat(Math.ceil(pad / words.length)).slice(0, pad) };
  const length = Buffer.byteLength(JSON.stringify(body));
  if (length !== size) throw new Error(`padding ${command}: ${length} B, wanted ${size}`);
  return body;
}

export const bodyBytes = (command, size, fields) => Buffer.from(JSON.stringify(bodyObject(command, size, fields)));

/** The query string the IM backend sends, signed for `requestTime` (Unix seconds, default now). */
export function signedQuery(command, requestTime = Math.floor(Date.now() / 1000), extraQuery) {
  return buildRequest(command, '', { sdkAppId: APP, token: TOKEN, requestTime, extraQuery }).query;
}

/** A signed query recomputed when the second changes (one Sign per second, like the IM backend). */
export function querySource(command) {
  let second = -1;
  let query = '';
  return () => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      second = now;
      query = signedQuery(command, now);
    }
    return query;
  };
}

const APP_TEXT = String(APP);

/**
 * The checks a hand-written receiver does on the query its framework parsed: SdkAppid, RequestTime
 * within 60 s of now, Sign = hex SHA-256(token ‖ RequestTime) with node:crypto. The plain string
 * compare is what such code usually does, and the cheapest correct check: the baselines get no
 * handicap (the receiver compares in constant time). 0 when the request passes, else the status.
 */
export function handCheck(sdkAppId, requestTime, sign) {
  if (sdkAppId !== APP_TEXT) return 403;
  if (typeof requestTime !== 'string' || typeof sign !== 'string') return 401;
  if (Math.abs(Date.now() / 1000 - Number(requestTime)) > 60) return 401;
  return createHash('sha256')
    .update(TOKEN + requestTime)
    .digest('hex') === sign
    ? 0
    : 401;
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

export const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Nearest-rank percentile of an ascending-sorted list. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export const int = (n) => Math.round(n).toLocaleString('en-US');
export const fixed = (n, digits = 2) => n.toFixed(digits);
export const kb = (bytes) => (bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KB` : `${bytes} B`);
export const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
export const verdict = (pass) => (pass ? 'PASS' : 'FAIL');

/** A Markdown table (pastes into a README as is), columns padded to line up in a terminal. */
export function table(rows, columns = Object.keys(rows[0] ?? {})) {
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? '')));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((_, i) => cells.every((row) => /^[-+]?[\d,.]+( ?[%×a-zA-Z/]*)?$|^$/.test(row[i])));
  const line = (values) =>
    `| ${values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(columns), rule, ...cells.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Children: a request/answer channel over IPC

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/**
 * The CPUs the children are pinned to, when `taskset` (util-linux) is there and the machine has
 * more than one: the load generator on the first, every server on the second (all their threads,
 * V8's GC helpers included). Left to the scheduler, a server sometimes lands on the load
 * generator's core and a round measures that, not the server; pinned, every server runs under the
 * same conditions. `null`: not pinned (the run says so).
 */
export const PINNING = (() => {
  if (os.availableParallelism() < 2 || process.env.BENCH_NO_PIN === '1') return null;
  const probe = spawnSync('taskset', ['-c', '1', process.execPath, '-e', '0'], { stdio: 'ignore' });
  return probe.status === 0 ? { client: '0', server: '1' } : null;
})();

/**
 * Forks `file` (in bench/) with `args` and returns `call(type, message)` → the child's answer.
 * A child that exits while a call is pending rejects it; stderr and stdout are the parent's.
 * `cpu` ('client' or 'server'): the CPU it is pinned to (see PINNING).
 */
export function startChild(file, args = [], { execArgv = [], cpu, runtime = process.execPath } = {}) {
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const pinned = cpu !== undefined && PINNING !== null ? PINNING[cpu] : undefined;
  // taskset execs the runtime in place, so the IPC channel spawn sets up reaches it as it reaches a
  // fork. JSON serialization: what Bun speaks with a Node parent.
  const command = [runtime, ...execArgv, here(file), ...args];
  const child =
    pinned === undefined
      ? spawn(command[0], command.slice(1), { stdio, serialization: 'json' })
      : spawn('taskset', ['-c', pinned, ...command], { stdio, serialization: 'json' });
  const pending = new Map();
  let next = 0;
  let exited;
  child.on('message', (message) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.error) waiting.reject(new Error(`${file} ${args.join(' ')}: ${message.error}`));
    else waiting.resolve(message.result);
  });
  child.on('exit', (code, signal) => {
    exited = `${file} ${args.join(' ')} exited (${signal ?? code})`;
    for (const waiting of pending.values()) waiting.reject(new Error(exited));
    pending.clear();
  });
  const call = (type, message = {}) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      const id = ++next;
      pending.set(id, { resolve, reject });
      child.send({ ...message, id, type });
    });
  // SIGTERM, then SIGKILL after 2 s: a child that does not exit (Bun's did not always) must not
  // keep the run waiting.
  const stop = () =>
    new Promise((resolve) => {
      if (exited) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill();
    });
  return { call, stop, pid: child.pid };
}

/** Bun (the root devDependency's binary), for the Bun rows; undefined where it is not installed. */
export const BUN = (() => {
  // The binary itself, not node_modules/.bin/bun: that is a shell script, whose child a signal to it
  // would leave running.
  const bin = fileURLToPath(new URL('../node_modules/bun/bin/bun.exe', import.meta.url));
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0 ? bin : undefined;
})();

/** Deno (the root devDependency's binary), for the Deno rows; undefined where it is not installed. */
export const DENO = (() => {
  const bin = fileURLToPath(new URL('../node_modules/deno/deno', import.meta.url));
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0 ? bin : undefined;
})();

/** In a child: answer the parent's calls with `handlers[type](message)`; exit when the parent goes. */
export function serveParent(handlers) {
  process.on('message', async (message) => {
    try {
      const handler = handlers[message.type];
      if (!handler) throw new Error(`unknown call ${message.type}`);
      process.send({ id: message.id, result: await handler(message) });
    } catch (error) {
      process.send({ id: message.id, error: error?.stack ?? String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
