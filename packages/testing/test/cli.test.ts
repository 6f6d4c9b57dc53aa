import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandList, imCallbacks, reject, silentLogger } from '@im-callbacks/express';
import { cli, cliUsage } from '@im-callbacks/testing';
import express from 'express5';

const APP = 1400000000;
const TOKEN = 'cli-token';

describe('im-callbacks-send', () => {
  let url: string;
  let close: () => Promise<void>;
  const seen: string[] = [];
  beforeAll(async () => {
    const app = express();
    const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
    im.onAny((event) => {
      seen.push(`${event.kind} ${event.command}`);
    });
    im.on('Group.CallbackBeforeSendMsg', () => reject(10100, 'no'));
    app.post('/im', im);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/im`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  function run(argv: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    return cli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env }).then((code) => ({
      code,
      out,
      err,
    }));
  }

  test('sends a signed sample and prints the reply', async () => {
    const result = await run([url, 'Group.CallbackBeforeSendMsg', '--sdkappid', String(APP), '--token', TOKEN]);
    expect(result).toEqual({
      code: 0,
      out: ['200 Group.CallbackBeforeSendMsg {"ActionStatus":"OK","ErrorInfo":"no","ErrorCode":10100}'],
      err: [],
    });
  });

  test('--all sends every command of the catalogue, each delivered as a known event', async () => {
    seen.length = 0;
    const result = await run([url, '--all'], { IM_SDKAPPID: String(APP), IM_CALLBACK_TOKEN: TOKEN });
    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(commandList.length);
    expect(result.out.every((line) => line.startsWith('200 '))).toBe(true);
    expect(seen).toHaveLength(commandList.length);
    expect(seen.some((line) => line.startsWith('unknown'))).toBe(false);
  });

  test('--payload sends a file; a refusal exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'im-cli-'));
    const file = join(dir, 'body.json');
    await writeFile(file, '{"GroupId":"g","__proto__":{"polluted":1}}');
    const result = await run([
      url,
      'Group.CallbackAfterSendMsg',
      '--payload',
      file,
      '--sdkappid',
      String(APP),
      '--token',
      TOKEN,
    ]);
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^400 Group\.CallbackAfterSendMsg .*BODY_FORBIDDEN_KEY/);
  });

  test('unsigned against a signed endpoint: 401, exit 1', async () => {
    const result = await run([url, 'State.StateChange', '--sdkappid', String(APP)]);
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^401 State\.StateChange .*SIGN_MISSING/);
  });

  test.each([
    [[], /a URL/],
    [['ftp://x', 'A.B', '--sdkappid', '1'], /a URL/],
    [['http://x'], /--sdkappid/],
    [['http://x', '--sdkappid', '1'], /at least one command/],
    [['http://x', 'A.B', 'C.D', '--sdkappid', '1', '--payload', 'f.json'], /exactly one command/],
    [['--nope'], /Unknown option/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toMatch(message);
    expect(result.err.join('\n')).toContain('Usage:');
  });

  test('--list and --help', async () => {
    const list = await run(['--list']);
    expect(list.code).toBe(0);
    expect(list.out).toHaveLength(commandList.length);
    expect(list.out[0]).toMatch(/^\S+ +(after|before) /);
    expect((await run(['--help'])).out).toEqual([cliUsage]);
  });
});
