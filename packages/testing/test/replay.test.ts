/**
 * `im-callbacks replay` and `im-callbacks fixtures` against a real Express app whose callbacks an
 * inspector recorded (its NDJSON file and its URL): re-signed sends, --fresh-id past a
 * de-duplication store, --expect-same, --command, --since, and fixtures that turn a capture into a
 * regression test with invoke().
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imCallbacks, reject, silentLogger } from '@im-callbacks/express';
import { createInspector, type Inspector } from '@im-callbacks/inspector';
import { imCallbacksCli, invoke, sample, send } from '@im-callbacks/testing';
import express from 'express5';

const APP = 1400000000;
const TOKEN = 'replay-callback-token';
const AFTER = 'Group.CallbackAfterSendMsg';
const BEFORE = 'Group.CallbackBeforeSendMsg';

let dir: string;
let url: string;
let server: Server;
let inspector: Inspector;
let file: string;
let live: string;
let policy: 'allow' | 'reject' = 'allow';
const seen: string[] = [];
const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger, dedupe: { ttl: 600_000 } });
im.on(AFTER, (event) => {
  seen.push(event.requestId ?? '(none)');
});
im.on(BEFORE, () => (policy === 'reject' ? reject(10100, 'changed policy') : undefined));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'im-replay-'));
  live = join(dir, 'callbacks.ndjson');
  file = join(dir, 'capture.ndjson');
  inspector = createInspector({ file: live, token: 'inspector-token-1', receiver: im });
  const app = express();
  app.use('/im/inspector', inspector.node);
  app.post('/im/callback', im);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // "Production": three callbacks, recorded.
  await send(`${url}/im/callback`, AFTER, sample(AFTER), {
    sdkAppId: APP,
    token: TOKEN,
    extraQuery: { RequestID: 'prod-1' },
  });
  await send(`${url}/im/callback`, BEFORE, sample(BEFORE), {
    sdkAppId: APP,
    token: TOKEN,
    extraQuery: { RequestID: 'prod-2' },
  });
  await send(`${url}/im/callback`, AFTER, { ...sample(AFTER), GroupId: 42 }, { sdkAppId: APP, token: TOKEN });
  await inspector.flush();
  // The capture the commands read (the inspector goes on recording the replays into its own file).
  copyFileSync(live, file);
});

afterAll(async () => {
  await inspector.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await imCallbacksCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  return { code, out, err };
}

const target = () => ['--to', `${url}/im/callback`, '--sdkappid', String(APP), '--token', TOKEN];

describe('im-callbacks replay', () => {
  test('re-signs each recorded body and prints the recorded answer beside the new one; the de-dup store answers the same RequestID', async () => {
    seen.length = 0;
    const result = await run(['replay', file, ...target()]);
    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      expect.stringMatching(/^\S+Z Group\.CallbackAfterSendMsg prod-1$/),
      '  recorded 200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}',
      '  now      200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}  same',
      expect.stringMatching(/ Group\.CallbackBeforeSendMsg prod-2$/),
      '  recorded 200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}',
      '  now      200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}  same',
      expect.stringMatching(/ Group\.CallbackAfterSendMsg$/),
      '  recorded 200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}',
      '  now      200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}  same',
      '3 replayed, 0 answered differently',
    ]);
    expect(seen).toEqual([]); // prod-1 was already seen: the store answered, the handler did not run
  });

  test('--fresh-id: a new RequestID each, so the handlers run again', async () => {
    seen.length = 0;
    const result = await run(['replay', file, ...target(), '--fresh-id', '--command', AFTER]);
    expect(result.code).toBe(0);
    expect(result.out.at(-1)).toBe('2 replayed, 0 answered differently');
    expect(seen).toHaveLength(1); // the second is PAYLOAD_INVALID: never dispatched
    expect(seen[0]).toMatch(/^replay-[0-9a-f-]{36}$/);
  });

  test('--expect-same exits 1 when an answer differs (the policy changed since)', async () => {
    policy = 'reject';
    try {
      const result = await run(['replay', file, ...target(), '--fresh-id', '--command', BEFORE, '--expect-same']);
      expect(result.code).toBe(1);
      expect(result.out).toContain(
        '  now      200 {"ActionStatus":"OK","ErrorInfo":"changed policy","ErrorCode":10100}  DIFFERENT',
      );
      expect((await run(['replay', file, ...target(), '--fresh-id', '--command', BEFORE])).code).toBe(0);
    } finally {
      policy = 'allow';
    }
  });

  test('signed with the wrong token: 401 DIFFERENT; --since filters by time', async () => {
    const wrong = await run([
      'replay',
      file,
      '--to',
      `${url}/im/callback`,
      '--sdkappid',
      String(APP),
      '--token',
      'nope',
      '--command',
      AFTER,
    ]);
    expect(wrong.out.filter((line) => line.startsWith('  now      401'))).toHaveLength(2);
    const future = await run(['replay', file, ...target(), '--since', '2999-01-01T00:00:00Z']);
    expect(future).toMatchObject({ code: 0, out: [], err: ['no recorded callback matches'] });
    const recent = await run(['replay', file, ...target(), '--since', '1h', '--fresh-id']);
    expect(recent.out.at(-1)).toBe('3 replayed, 0 answered differently');
  });

  test('from the inspector URL, with its token', async () => {
    const refused = await run(['replay', `${url}/im/inspector/`, ...target()]);
    expect(refused.code).toBe(2);
    expect(refused.err[0]).toContain('answered 401');
    const result = await run(['replay', `${url}/im/inspector`, ...target(), '--fresh-id'], {
      IM_INSPECTOR_TOKEN: 'inspector-token-1',
    });
    expect(result.code).toBe(0);
    expect(result.out.slice(0, 3)).toEqual([
      expect.stringMatching(/ Group\.CallbackAfterSendMsg prod-1$/),
      '  recorded 200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}',
      '  now      200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}  same',
    ]);
    expect(result.out.at(-1)).toMatch(/^\d+ replayed, \d+ answered differently$/);
  });

  test('usage errors exit 2', async () => {
    expect((await run(['replay'])).code).toBe(2);
    expect((await run(['replay', file, '--sdkappid', '1'])).code).toBe(2);
    expect((await run(['replay', file, '--to', url])).code).toBe(2);
    expect((await run(['replay', file, ...target(), '--since', 'yesterday'])).code).toBe(2);
    expect((await run(['replay', join(dir, 'missing.ndjson'), ...target()])).code).toBe(2);
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, '{"time":"2026-01-01T00:00:00Z"}\nnot json\n');
    const result = await run(['replay', bad, ...target()]);
    expect([result.code, result.err[0]?.split('\n')[0]]).toEqual([2, `${bad}:2 is not JSON`]);
    expect((await run(['replay', '--help'])).out[0]).toMatch(/^Usage:/);
  });
});

describe('im-callbacks fixtures', () => {
  test('one JSON file per recorded callback, the same as the page saves, and a regression test with invoke()', async () => {
    const out = join(dir, 'fixtures');
    const result = await run(['fixtures', file, '--out', out]);
    expect(result.code).toBe(0);
    const names = readdirSync(out).sort();
    expect(names).toHaveLength(3);
    expect(names.some((name) => name.endsWith('-Group.CallbackAfterSendMsg-prod-1.json'))).toBe(true);
    const fixtures = names.map((name) => JSON.parse(readFileSync(join(out, name), 'utf8')));
    // The page's "save as a test fixture" gives the same object.
    const first = inspector.records()[0];
    const detail = await inspector.fetch(new Request(`http://127.0.0.1/api/callbacks/${first?.id}`), {
      address: '127.0.0.1',
    });
    expect(detail.status).toBe(401); // this inspector has a token
    const page = await (
      await inspector.fetch(
        new Request(`http://127.0.0.1/api/callbacks/${first?.id}`, {
          headers: { authorization: 'Bearer inspector-token-1' },
        }),
      )
    ).json();
    expect(fixtures).toContainEqual(page.fixture);

    // The README's regression test: each production capture answers as it was answered.
    for (const fixture of fixtures) {
      const replayed = await invoke(im, fixture.command, fixture.payload, fixture.context);
      expect([replayed.status, replayed.reply]).toEqual([fixture.recorded.status, fixture.recorded.reply]);
    }
    expect(fixtures.find((fixture) => fixture.recorded.code === 'PAYLOAD_INVALID')).toBeDefined();
  });

  test('--command selects; --out is required', async () => {
    const out = join(dir, 'only-before');
    expect((await run(['fixtures', file, '--out', out, '--command', BEFORE])).code).toBe(0);
    expect(readdirSync(out)).toEqual([expect.stringMatching(/-Group\.CallbackBeforeSendMsg-prod-2\.json$/)]);
    expect((await run(['fixtures', file])).code).toBe(2);
  });
});
