/**
 * `im-callbacks doctor` passes against every example app, each run as a user runs it (its
 * `src/server.*` in a child process, on the built packages, configured by IM_SDKAPPID,
 * IM_CALLBACK_TOKEN, PORT): the default checks, and `--send before after` (every command's sample).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, start, stopAll, waitForPort } from '@im-callbacks/test-helpers';
import { expandCommands, imCallbacksCli, runDoctor } from '@im-callbacks/testing';

const ROOT = resolve(__dirname, '..');
const SDKAPPID = 1400000000;
const TOKEN = 'doctor-examples-token';

/** The packages the examples import, built once if a dist is missing (a fresh clone runs `pnpm test` first). */
function ensureBuilt(): void {
  const packages = ['core', 'express', 'koa', 'fastify', 'nestjs'];
  if (packages.every((name) => existsSync(join(ROOT, 'packages', name, 'dist/index.js')))) return;
  const build = spawnSync('pnpm', ['build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (build.status !== 0)
    throw new Error(`building the packages failed (status ${build.status}):\n${build.stdout}${build.stderr}`);
}

/** How each example is started: plain Node for the .mjs ones, tsx (decorators) for NestJS. */
const EXAMPLES: [string, string[]][] = [
  ['express', ['examples/express/src/server.mjs']],
  ['koa', ['examples/koa/src/server.mjs']],
  ['fastify', ['examples/fastify/src/server.mjs']],
  ['hono', ['examples/hono/src/server.mjs']],
  ['nestjs', ['--import', 'tsx', 'examples/nestjs/src/server.ts']],
];

beforeAll(() => ensureBuilt(), 320_000);
afterAll(() => stopAll());

test.each(EXAMPLES)(
  'doctor passes against the %s example',
  async (name, args) => {
    const port = await freePort();
    const server = start(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        IM_SDKAPPID: String(SDKAPPID),
        IM_CALLBACK_TOKEN: TOKEN,
        PORT: String(port),
        HOST: '127.0.0.1',
        NO_COLOR: '1',
      },
    });
    try {
      await waitForPort(port, server, `the ${name} example`, 30_000);
      const url = `http://127.0.0.1:${port}/im/callback`;
      const out: string[] = [];
      const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line), env: {} };
      const code = await imCallbacksCli(['doctor', url, '--sdkappid', String(SDKAPPID), '--token', TOKEN], io);
      expect({ code, out }).toEqual({ code: 0, out: expect.any(Array) });
      expect(out.filter((line) => line.startsWith('FAIL'))).toEqual([]);
      const sent = await runDoctor({
        url,
        sdkAppId: String(SDKAPPID),
        token: TOKEN,
        send: expandCommands(['before', 'after']),
      });
      expect(sent.checks.filter((check) => !check.pass)).toEqual([]);
    } finally {
      await server.stop();
    }
  },
  90_000,
);
