/**
 * `IM_OTEL=1`: the example run as a user runs it (`node src/server.mjs`, the built packages, the
 * OpenTelemetry HTTP instrumentation loaded the ordinary way) prints, for a signed callback, the
 * HTTP server span and the `im-callback <command>` span under it, and no Sign.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, start, stopAll, waitForOutput, waitForPort } from '@im-callbacks/test-helpers';
import { sample, send } from '@im-callbacks/testing';

const ROOT = resolve(__dirname, '../../..');
const SERVER = join(__dirname, '../src/server.mjs');
const SDKAPPID = 1400000000;
const TOKEN = 'example-otel-token';
const AFTER = 'Group.CallbackAfterSendMsg';

/** The packages the example imports, built once if a dist is missing (a fresh clone runs `pnpm test` first). */
function ensureBuilt(): void {
  const packages = ['core', 'express', 'opentelemetry'];
  if (packages.every((name) => existsSync(join(ROOT, 'packages', name, 'dist/index.js')))) return;
  const build = spawnSync(
    'pnpm',
    ['--filter', '@im-callbacks/express...', '--filter', '@im-callbacks/opentelemetry...', 'build'],
    { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
  );
  if (build.status !== 0)
    throw new Error(`building the packages failed (status ${build.status}):\n${build.stdout}${build.stderr}`);
}

/** The spans ConsoleSpanExporter printed (`console.dir` of each): name, id, parent span id. */
function printedSpans(output: string): { name: string; id: string; parent: string | undefined }[] {
  return output
    .split(/\n(?=\{\n)/)
    .map((block) => ({
      name: /\n {2}name: '([^']*)'/.exec(block)?.[1],
      id: /\n {2}id: '([0-9a-f]+)'/.exec(block)?.[1],
      parent: /\n {2}parentSpanContext: \{[^}]*spanId: '([0-9a-f]+)'/.exec(block)?.[1],
    }))
    .filter((span): span is { name: string; id: string; parent: string | undefined } => !!span.name && !!span.id);
}

afterAll(() => stopAll());

test('IM_OTEL=1 prints the callback span under the HTTP server span', async () => {
  ensureBuilt();
  const port = await freePort();
  const server = start(process.execPath, [SERVER], {
    env: {
      ...process.env,
      IM_OTEL: '1',
      IM_SDKAPPID: String(SDKAPPID),
      IM_CALLBACK_TOKEN: TOKEN,
      PORT: String(port),
      HOST: '127.0.0.1',
      NO_COLOR: '1',
    },
  });
  try {
    await waitForPort(port, server, 'the Express example with IM_OTEL=1', 20_000);
    const sent = await send(`http://127.0.0.1:${port}/im/callback`, AFTER, sample(AFTER), {
      sdkAppId: SDKAPPID,
      token: TOKEN,
    });
    expect(sent.status).toBe(200);
    // The HTTP server span ends after the response: wait for both.
    await waitForOutput(server, new RegExp(`name: 'im-callback ${AFTER.replace('.', '\\.')}'`), 'the callback span');
    await waitForOutput(server, /instrumentation-http[\s\S]*\n {2}name: 'POST'/, 'the HTTP server span');
    const spans = printedSpans(server.output());
    const callback = spans.find((span) => span.name === `im-callback ${AFTER}`);
    const http = spans.find((span) => span.name === 'POST');
    expect(callback?.parent).toBeDefined();
    expect(callback?.parent).toBe(http?.id);
    expect(server.output()).toContain("'im_callbacks.kind': 'after'");
    const sign = new URLSearchParams(sent.request.query).get('Sign') as string;
    expect(server.output()).not.toContain(sign);
  } finally {
    await server.stop();
  }
}, 60_000);
