/**
 * `const { fetch } = receiver` works detached from the receiver: in-process under Node, and served
 * by Bun (`Bun.serve({ fetch })`, `export default { port, fetch }`) and Deno
 * (`Deno.serve(options, receiver.fetch)`) running the BUILT core (packages/core/dist). Bun and Deno
 * are root devDependencies (node_modules/.bin/bun, node_modules/.bin/deno); IM_BUN / IM_DENO point
 * at other binaries. A missing binary fails the test: it is never skipped. The same runtimes also
 * run the core's tracing channel with a subscriber (fixtures/diagnostics.mjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createReceiver, reject, silentLogger } from '@im-callbacks/core';
import { freePort, type Running, start, stopAll, waitForOutput, waitForPort } from '@im-callbacks/test-helpers';
import { buildRequest, sample, send } from '@im-callbacks/testing';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(__dirname, 'fixtures');
const CORE_DIST = join(ROOT, 'packages/core/dist/index.js');
const SDKAPPID = 1400000000;
const TOKEN = 'runtime-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const REFUSED = { ActionStatus: 'OK', ErrorInfo: 'refused under test', ErrorCode: 10100 };
const ENV = { ...process.env, IM_CALLBACK_TOKEN: TOKEN, IM_SDKAPPID: String(SDKAPPID), NO_COLOR: '1' };

/** The runtime's binary: `override` (IM_BUN, IM_DENO) or node_modules/.bin/<name>; fails clearly when absent. */
function binary(name: 'bun' | 'deno', override: 'IM_BUN' | 'IM_DENO'): string {
  const given = process.env[override];
  const path = given || join(ROOT, 'node_modules/.bin', name);
  const fix = `run \`pnpm install\` (${name} is a root devDependency; CI installs it), or set ${override}=/path/to/${name}`;
  if (!existsSync(path)) throw new Error(`${name} not found at ${path}${given ? ` (${override})` : ''}: ${fix}`);
  const version = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (version.status !== 0) {
    throw new Error(
      `${path} --version failed (status ${version.status}${version.error ? `, ${version.error.message}` : ''}): ${fix}.\n${version.stdout}${version.stderr}`,
    );
  }
  return path;
}

/** The built core the Bun and Deno fixtures import; built once if missing. */
function ensureBuiltCore(): void {
  if (existsSync(CORE_DIST)) return;
  const build = spawnSync('pnpm', ['--filter', '@im-callbacks/core', 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0 || !existsSync(CORE_DIST)) {
    throw new Error(`building @im-callbacks/core failed (status ${build.status}):\n${build.stdout}${build.stderr}`);
  }
}

/** A served receiver answers as the status table says: OK, the handler's decision, 401 for a wrong Sign. */
async function expectServed(url: string): Promise<void> {
  const options = { sdkAppId: SDKAPPID, token: TOKEN };
  const after = await send(url, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), options);
  expect([after.status, after.reply]).toEqual([200, OK]);
  const before = await send(url, 'Group.CallbackBeforeSendMsg', sample('Group.CallbackBeforeSendMsg'), options);
  expect([before.status, before.reply]).toEqual([200, REFUSED]);
  const forged = await send(url, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
    sdkAppId: SDKAPPID,
    token: 'not-the-token',
  });
  expect(forged.status).toBe(401);
  expect(forged.reply).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1 });
  expect(String((forged.reply as { ErrorInfo: string }).ErrorInfo)).toMatch(/^SIGN_INVALID/);
}

afterAll(() => stopAll());

describe('detached receiver.fetch under Node (in-process)', () => {
  const receiver = createReceiver({ sdkAppId: SDKAPPID, token: TOKEN, logger: silentLogger });
  receiver.on('Group.CallbackBeforeSendMsg', () => reject(10100, 'refused under test'));
  const { fetch } = receiver;

  function post(command: 'Group.CallbackAfterSendMsg' | 'Group.CallbackBeforeSendMsg', token = TOKEN) {
    const { query, body } = buildRequest(command, sample(command), { sdkAppId: SDKAPPID, token });
    return fetch(new Request(`http://127.0.0.1/im/callback?${query}`, { method: 'POST', body }));
  }

  test('a signed callback: 200 and the OK reply', async () => {
    const response = await post('Group.CallbackAfterSendMsg');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(OK);
  });

  test("a before-callback: the handler's decision", async () => {
    const response = await post('Group.CallbackBeforeSendMsg');
    expect(await response.json()).toEqual(REFUSED);
  });

  test('a wrong Sign: 401; another method: 405', async () => {
    expect((await post('Group.CallbackAfterSendMsg', 'not-the-token')).status).toBe(401);
    const get = await fetch(new Request('http://127.0.0.1/im/callback'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('detached receiver.fetch under Bun (built core)', () => {
  let bun: string;
  beforeAll(() => {
    bun = binary('bun', 'IM_BUN');
    ensureBuiltCore();
  }, 130_000);

  test('Bun.serve({ port: 0, fetch }) with the method taken off the receiver', async () => {
    const server = start(bun, [join(FIXTURES, 'bun-serve.mjs')], { cwd: ROOT, env: ENV });
    await expectListening(server, 'bun fixtures/bun-serve.mjs');
  }, 30_000);

  test('export default { port, fetch: receiver.fetch }', async () => {
    const port = await freePort();
    const server = start(bun, [join(FIXTURES, 'bun-export-default.mjs')], {
      cwd: ROOT,
      env: { ...ENV, PORT: String(port) },
    });
    try {
      await waitForPort(port, server, 'bun fixtures/bun-export-default.mjs', 15_000);
      await expectServed(`http://127.0.0.1:${port}/im/callback`);
    } finally {
      await server.stop();
    }
  }, 30_000);
});

describe('detached receiver.fetch under Deno (built core)', () => {
  let deno: string;
  beforeAll(() => {
    deno = binary('deno', 'IM_DENO');
    ensureBuiltCore();
  }, 130_000);

  test('Deno.serve({ port: 0, onListen }, receiver.fetch)', async () => {
    const server = start(
      deno,
      [
        'run',
        '--allow-net',
        '--allow-read',
        '--allow-env',
        // The built core imports valibot from node_modules, as installed by pnpm; no deno.lock written.
        '--node-modules-dir=manual',
        '--no-lock',
        join(FIXTURES, 'deno-serve.mjs'),
      ],
      { cwd: ROOT, env: { ...ENV, DENO_NO_UPDATE_CHECK: '1' } },
    );
    await expectListening(server, 'deno run fixtures/deno-serve.mjs');
  }, 30_000);
});

describe('the im-callbacks:callback tracing channel under Node, Bun and Deno (built core)', () => {
  // A synchronous decision: start, end; a refusal: start, error, end; a streamed body (fetch): the
  // answer after the synchronous part, so end first, then asyncStart, asyncEnd.
  const BEFORE = 'Group.CallbackBeforeSendMsg';
  const EXPECTED = [
    ['start', null, null, null],
    ['end', BEFORE, 200, 'reject'],
    ['start', null, null, null],
    ['error', BEFORE, 401, 'SIGN_INVALID'],
    ['end', BEFORE, 401, 'SIGN_INVALID'],
    ['start', null, null, null],
    ['end', null, null, null],
    ['asyncStart', BEFORE, 200, 'reject'],
    ['asyncEnd', BEFORE, 200, 'reject'],
  ];
  const fixture = join(FIXTURES, 'diagnostics.mjs');
  const runtimes: [string, () => [string, string[]]][] = [
    ['node', () => [process.execPath, [fixture]]],
    ['bun', () => [binary('bun', 'IM_BUN'), [fixture]]],
    [
      'deno',
      () => [
        binary('deno', 'IM_DENO'),
        ['run', '--allow-read', '--allow-env', '--node-modules-dir=manual', '--no-lock', fixture],
      ],
    ],
  ];
  beforeAll(() => ensureBuiltCore(), 130_000);

  test.each(runtimes)(
    '%s: the events and the context of each callback',
    async (name, command) => {
      const [bin, args] = command();
      const run = start(bin, args, { cwd: ROOT, env: { ...ENV, DENO_NO_UPDATE_CHECK: '1' } });
      try {
        const [, events] = await waitForOutput(run, /^EVENTS (.*)$/m, `${name} fixtures/diagnostics.mjs`, 20_000);
        expect(JSON.parse(events as string)).toEqual(EXPECTED);
      } finally {
        await run.stop();
      }
    },
    30_000,
  );
});

/** Waits for the fixture's `PORT <n>` line, checks the served receiver, stops the process. */
async function expectListening(server: Running, what: string): Promise<void> {
  try {
    const [, port] = await waitForOutput(server, /^PORT (\d+)$/m, what, 20_000);
    await expectServed(`http://127.0.0.1:${port}/im/callback`);
  } finally {
    await server.stop();
  }
}
