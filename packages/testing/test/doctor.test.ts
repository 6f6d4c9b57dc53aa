/**
 * `im-callbacks doctor` against apps on real HTTP: a sound one (im-callbacks, signed) passes every
 * check, with `--send before after` too; an app with no token, a hand-written Express route that
 * accepts forged Signs, and a hand-written one whose handler sleeps 3 s each fail, saying why. Then
 * the `im-callbacks` dispatcher: subcommands, `--help`, usage errors, colours.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commandList, imCallbacks, reject, silentLogger } from '@im-callbacks/express';
import { type CliIo, imCallbacksCli, imCallbacksUsage, runDoctor, SUBCOMMANDS } from '@im-callbacks/testing';
import express from 'express5';

const APP = 1400000000;
const TOKEN = 'doctor-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const ESC = '\u001b';

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/im/callback`;
}

/** An app as the README shows it: im-callbacks mounted at the root with its path. */
async function soundApp(token: string | undefined): Promise<string> {
  const app = express();
  const im = imCallbacks(APP, { token, logger: silentLogger, path: '/im/callback' });
  im.on('Group.CallbackBeforeSendMsg', () => reject(10100, 'no'));
  app.use(im);
  return serve(app);
}

/** A hand-written route that checks the SdkAppid but never the Sign, parses with express.json(). */
async function forgeryAccepting(): Promise<string> {
  const app = express();
  app.post('/im/callback', express.json({ type: () => true }), (req, res) => {
    if (req.query.SdkAppid !== undefined && req.query.SdkAppid !== String(APP)) {
      res.status(403).json({ ActionStatus: 'FAIL', ErrorInfo: 'not ours', ErrorCode: 1 });
      return;
    }
    res.json(OK);
  });
  return serve(app);
}

/** A hand-written route whose handler takes 3 s over every event (it answers empty requests at once). */
async function sleepy(): Promise<string> {
  const app = express();
  app.post('/im/callback', express.text({ type: () => true }), async (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    if (body.includes('CallbackCommand')) await new Promise((resolve) => setTimeout(resolve, 3000));
    res.json(OK);
  });
  return serve(app);
}

function capture(isTTY = false, env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), env, isTTY };
  return { io, out, err };
}

const line = (out: string[], name: string) => out.find((entry) => entry.slice(6).startsWith(name)) ?? '';

describe('im-callbacks doctor', () => {
  test('a sound endpoint: every check passes, exit 0', async () => {
    const url = await soundApp(TOKEN);
    const { io, out, err } = capture();
    const code = await imCallbacksCli(['doctor', url, '--sdkappid', String(APP), '--token', TOKEN], io);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    for (const name of [
      'URL check: Sign only, no body',
      'URL check: SdkAppid, empty body',
      'URL check: SdkAppid and CallbackCommand, {}',
      'forged Sign',
      'stale RequestTime',
      'missing Sign',
      'wrong SdkAppid',
      'body not JSON',
      'body over 1 MiB',
      'answer times',
    ]) {
      expect(line(out, name)).toMatch(/^PASS {2}/);
    }
    expect(line(out, 'forged Sign')).toMatch(/ 401 +\d+ ms$/);
    expect(line(out, 'body over 1 MiB')).toMatch(/ 413 /);
    expect(out.at(-1)).toMatch(/^10 passed, 0 failed; answers p50 \d+ ms, max \d+ ms/);
  });

  test('--send before after: a signed sample of every command, each answer of its shape', async () => {
    const url = await soundApp(TOKEN);
    const report = await runDoctor({
      url,
      sdkAppId: String(APP),
      token: TOKEN,
      send: ['Group.CallbackBeforeSendMsg', 'Group.CallbackAfterSendMsg', 'Future.Unknown'],
    });
    expect(report.checks.filter((check) => check.name.startsWith('send ')).map((c) => [c.name, c.pass])).toEqual([
      ['send Group.CallbackBeforeSendMsg', true],
      ['send Group.CallbackAfterSendMsg', true],
      ['send Future.Unknown', true],
    ]);
    const { io, out } = capture();
    expect(
      await imCallbacksCli(
        ['doctor', url, '--sdkappid', String(APP), '--token', TOKEN, '--send', 'before', 'after'],
        io,
      ),
    ).toBe(0);
    const sent = out.filter((entry) => /^(PASS|FAIL) {2}send /.test(entry));
    expect(sent.length).toBe(commandList.length);
    expect(sent.every((entry) => entry.startsWith('PASS'))).toBe(true);
  });

  test('an app with no token: the Sign checks fail, saying anyone can forge callbacks; exit 1', async () => {
    const url = await soundApp(undefined);
    const { io, out } = capture();
    expect(await imCallbacksCli(['doctor', url, '--sdkappid', String(APP), '--token', TOKEN], io)).toBe(1);
    expect(line(out, 'missing Sign')).toMatch(
      /^FAIL .* 200 .*anyone can forge callbacks: a request without a Sign was accepted/,
    );
    expect(line(out, 'forged Sign')).toMatch(/^FAIL .*anyone can forge callbacks: a request with a wrong Sign/);
    expect(line(out, 'URL check: Sign only, no body')).toMatch(/^PASS/);
    expect(out.at(-1)).toMatch(/failed/);
  });

  test('without --token against an app with no token: the missing-Sign check fails too', async () => {
    const url = await soundApp(undefined);
    const report = await runDoctor({ url, sdkAppId: String(APP) });
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === 'missing Sign')).toMatchObject({
      pass: false,
      status: 200,
      detail: expect.stringMatching(/^anyone can forge callbacks/),
    });
    expect(report.checks.some((check) => check.name === 'forged Sign')).toBe(false);
  });

  test('without --token against a signed app: the URL check fails, saying to pass --token', async () => {
    const url = await soundApp(TOKEN);
    const report = await runDoctor({ url, sdkAppId: String(APP) });
    expect(report.checks[0]).toMatchObject({ pass: false, status: 401, detail: expect.stringMatching(/--token/) });
    expect(report.checks.find((check) => check.name === 'missing Sign')).toMatchObject({ pass: true, status: 401 });
  });

  test('a hand-written route that accepts forged Signs: anyone can forge callbacks; its other faults named', async () => {
    const url = await forgeryAccepting();
    const { io, out } = capture();
    expect(await imCallbacksCli(['doctor', url, '--sdkappid', String(APP), '--token', TOKEN], io)).toBe(1);
    for (const name of ['forged Sign', 'missing Sign'])
      expect(line(out, name)).toMatch(/^FAIL .* 200 .*anyone can forge callbacks/);
    expect(line(out, 'stale RequestTime')).toMatch(/^FAIL .* 200 .*anyone can replay callbacks/);
    // express.json() answers a bad body with an HTML page, and waits for the whole of an oversized one.
    expect(line(out, 'body not JSON')).toMatch(/^FAIL .* 400 .*not JSON/);
    expect(line(out, 'body over 1 MiB')).toMatch(/^FAIL .*no answer while the body was still arriving/);
    expect(line(out, 'wrong SdkAppid')).toMatch(/^PASS .* 403/);
  });

  test('an endpoint that refuses an oversized body at once but keeps the connection: held open', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end('{"ActionStatus":"FAIL","ErrorInfo":"too large","ErrorCode":1}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/im`;
    const report = await runDoctor({ url, sdkAppId: String(APP), token: TOKEN });
    expect(report.checks.find((check) => check.name === 'body over 1 MiB')).toMatchObject({
      pass: false,
      status: 413,
      detail: expect.stringMatching(/held open waiting for the rest of the body/),
    });
  });

  test('a handler that sleeps 3 s: the answer time fails, the IM backend gives up after 2 s', async () => {
    const url = await sleepy();
    const { io, out } = capture();
    const code = await imCallbacksCli(
      ['doctor', url, '--sdkappid', String(APP), '--token', TOKEN, '--send', 'Group.CallbackAfterSendMsg'],
      io,
    );
    expect(code).toBe(1);
    expect(line(out, 'answer times')).toMatch(
      /^FAIL {2}answer times: p50 \d+ ms, max (3\d{3}) ms .*the slowest answer took 3\.\d s: the IM backend gives up after 2 s/,
    );
  }, 20_000);

  test('nothing listening: every check fails with no answer', async () => {
    const report = await runDoctor({ url: 'http://127.0.0.1:9/im', sdkAppId: String(APP), timeoutMs: 2000 });
    expect(report.ok).toBe(false);
    expect(report.checks[0]?.detail).toMatch(/^no answer \(.*\): is the URL right and the app running\?/);
  });

  test.each([
    [['doctor'], /a URL/],
    [['doctor', 'ftp://x', '--sdkappid', '1'], /a URL/],
    [['doctor', 'http://x'], /--sdkappid/],
    [['doctor', 'http://x', '--sdkappid', 'abc'], /--sdkappid/],
    [['doctor', 'http://x', '--sdkappid', '1', 'extra'], /unexpected argument extra/],
    [['doctor', 'http://x', '--sdkappid', '1', '--timeout', 'soon'], /--timeout/],
    [['doctor', 'http://x', '--sdkappid', '1', '--bogus'], /Unknown option/],
  ])('usage error %j: exit 2 with the usage', async (argv, message) => {
    const { io, err } = capture();
    expect(await imCallbacksCli(argv, io)).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(err.join('\n')).toContain('Usage: im-callbacks doctor');
  });
});

describe('the im-callbacks dispatcher', () => {
  test('--help lists send, doctor and list', async () => {
    const { io, out } = capture();
    expect(await imCallbacksCli(['--help'], io)).toBe(0);
    expect(out).toEqual([imCallbacksUsage()]);
    expect(out[0]).toMatch(/^Usage: im-callbacks <command> \[options\]/);
    for (const name of ['send', 'doctor', 'list']) expect(out[0]).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });
  test.each([
    [[], /name a command/],
    [['frobnicate'], /unknown command frobnicate/],
  ])('%j: exit 2', async (argv, message) => {
    const { io, err } = capture();
    expect(await imCallbacksCli(argv, io)).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });
  test('each subcommand has its --help', async () => {
    for (const command of SUBCOMMANDS) {
      const { io, out } = capture();
      expect(await imCallbacksCli([command.name, '--help'], io)).toBe(0);
      expect(out).toEqual([command.usage]);
      expect(command.usage).toMatch(new RegExp(`^Usage:\\s+im-callbacks ${command.name}`));
    }
  });
  test('--version prints the version given by the bin', async () => {
    const { io, out } = capture();
    expect(await imCallbacksCli(['--version'], io, '1.2.3')).toBe(0);
    expect(out).toEqual(['1.2.3']);
  });
  test('list: every command, or one kind', async () => {
    const all = capture();
    await imCallbacksCli(['list'], all.io);
    const before = capture();
    await imCallbacksCli(['list', '--before'], before.io);
    expect(before.out.length).toBeGreaterThan(5);
    expect(before.out.every((entry) => / before /.test(entry))).toBe(true);
    expect(all.out.length).toBeGreaterThan(before.out.length);
  });
  test('colours only on a terminal, and never with NO_COLOR', async () => {
    const url = await soundApp(TOKEN);
    const argv = ['doctor', url, '--sdkappid', String(APP), '--token', TOKEN];
    const tty = capture(true);
    await imCallbacksCli(argv, tty.io);
    expect(tty.out[1]?.startsWith(`${ESC}[32mPASS${ESC}[39m`)).toBe(true);
    const piped = capture(false);
    await imCallbacksCli(argv, piped.io);
    expect(piped.out.join('\n')).not.toContain('\u001b[');
    const noColor = capture(true, { NO_COLOR: '1' });
    await imCallbacksCli(argv, noColor.io);
    expect(noColor.out.join('\n')).not.toContain('\u001b[');
  });
});
