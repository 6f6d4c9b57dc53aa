// The demo: starts one example app (express by default; `pnpm demo koa|fastify|hono|bullmq|nestjs` or
// IM_DEMO_FRAMEWORK picks another), fires signed sample callbacks at it the way the IM backend
// does, prints what each handler saw and each reply, and checks every reply. Exits 0 when all
// replies are the expected ones. The express example runs with its inspector (`IM_INSPECTOR=1`):
// the demo prints the page's URL and checks it recorded every callback; IM_DEMO_KEEP=1 keeps the app
// running afterwards, to look at the page. `bullmq` (a web process and a worker on Redis) starts its own
// redis-server on a free port, and says how to get one when it is not installed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFromDocExample, sample, seedAfterSendMsgZh, seedSendMsgExceptionZh, send } from '@im-callbacks/testing';

const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'bullmq', 'nestjs'];
const framework = process.argv[2] ?? process.env.IM_DEMO_FRAMEWORK ?? 'express';
if (!FRAMEWORKS.includes(framework)) {
  console.error(`Unknown framework "${framework}"; choose one of ${FRAMEWORKS.join(', ')}.`);
  process.exit(2);
}

const SDKAPPID = 1400000000;
const TOKEN = 'demo-callback-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

/** A redis-server on a free loopback port, nothing saved; resolves with its URL and `stop`. */
async function startRedis() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      'The bullmq demo needs Redis: install redis-server (`apt-get install -y redis-server` on Debian/Ubuntu, `brew install redis` on macOS), then run `pnpm demo bullmq` again.',
    );
    process.exit(1);
  }
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'im-callbacks-demo-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const server = spawn('redis-server', args, { stdio: 'ignore' });
  const answers = () =>
    new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket.destroy() && true));
      socket.once('error', () => resolve(false));
    });
  for (let tries = 0; !(await answers()); tries++) {
    if (tries > 100) throw new Error(`redis-server did not listen on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.once('exit', () => resolve(rmSync(dir, { recursive: true, force: true })));
        server.kill('SIGTERM');
      }),
  };
}

const redis = framework === 'bullmq' ? await startRedis() : undefined;
// The NestJS example is TypeScript (decorators): loaded through tsx, with the root tsconfig.json.
if (framework === 'nestjs') (await import('tsx/esm/api')).register();
const { start } = await import(`../examples/${framework}/src/app.${framework === 'nestjs' ? 'ts' : 'mjs'}`);
const { url, close, inspectorUrl } = await start({
  sdkAppId: SDKAPPID,
  token: TOKEN,
  inspector: framework === 'express',
  log: (line) => console.log(`    app: ${line}`),
  redis: redis?.url,
});
console.log(
  `im-callbacks demo: ${framework} example listening at ${url}${redis ? ` (Redis at ${redis.url}, a worker in the same process)` : ''}`,
);
if (inspectorUrl) console.log(`Inspector (IM_INSPECTOR=1): ${inspectorUrl}`);
console.log('');

const message = (From_Account, Text) => ({
  ...sample('Group.CallbackBeforeSendMsg'),
  From_Account,
  MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text } }],
});

const cases = [
  {
    title: 'Seed: Group.CallbackAfterSendMsg (zh doc example, EventTime a number)',
    command: 'Group.CallbackAfterSendMsg',
    payload: jsonFromDocExample(seedAfterSendMsgZh),
    expect: [200, OK],
  },
  {
    title: 'Seed: Group.CallbackSendMsgException (zh doc example, EventTime a string)',
    command: 'Group.CallbackSendMsgException',
    payload: jsonFromDocExample(seedSendMsgExceptionZh),
    expect: [200, OK],
  },
  {
    title: 'Before-send: an ordinary message is allowed',
    command: 'Group.CallbackBeforeSendMsg',
    payload: message('jared', 'see you at 8'),
    expect: [200, OK],
  },
  {
    title: 'Before-send: a banned word is rejected with a custom code',
    command: 'Group.CallbackBeforeSendMsg',
    payload: message('jared', 'FREE MONEY here'),
    expect: [200, { ActionStatus: 'OK', ErrorInfo: 'message refused by moderation', ErrorCode: 10100 }],
  },
  {
    title: 'Before-send: a phone number is masked (message rewritten)',
    command: 'Group.CallbackBeforeSendMsg',
    payload: message('jared', 'call me 13800138000'),
    expect: [200, { ...OK, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'call me ***' } }] }],
  },
  {
    title: 'Before-send: a muted sender is silently discarded',
    command: 'Group.CallbackBeforeSendMsg',
    payload: message('spammer', 'hello'),
    expect: [200, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 2 }],
  },
  {
    title: 'A command this version does not know is acknowledged',
    command: 'Group.CallbackSomethingNew',
    payload: { CallbackCommand: 'Group.CallbackSomethingNew', GroupId: '@TGS#1' },
    expect: [200, OK],
  },
  {
    title: 'Forged: signed with the wrong token',
    command: 'Group.CallbackAfterSendMsg',
    payload: sample('Group.CallbackAfterSendMsg'),
    options: { token: 'not-the-token' },
    expect: [
      401,
      {
        ActionStatus: 'FAIL',
        ErrorInfo:
          'SIGN_INVALID: Sign does not match: check that the token option is the callback token set in the IM console',
        ErrorCode: 1,
      },
    ],
  },
  {
    title: 'Another app’s callback',
    command: 'Group.CallbackAfterSendMsg',
    payload: sample('Group.CallbackAfterSendMsg'),
    options: { sdkAppId: 1400000999 },
    expect: [403, { ActionStatus: 'FAIL', ErrorInfo: 'SDKAPPID_MISMATCH: SdkAppid is not this app', ErrorCode: 1 }],
  },
];

if (framework === 'bullmq') {
  cases.push({
    title:
      'Seed again, same RequestID: Tencent re-sent it; acknowledged, not handed off twice (the worker logs it once)',
    command: 'Group.CallbackAfterSendMsg',
    payload: jsonFromDocExample(seedAfterSendMsgZh),
    options: { extraQuery: { RequestID: 'demo-resent' } },
    twice: true,
    expect: [200, OK],
  });
}

let failures = 0;
for (const [index, { title, command, payload, options, expect, twice }] of cases.entries()) {
  console.log(`${index + 1}. ${title}\n    → POST ${command}${twice ? ' (twice)' : ''}`);
  if (twice) await send(url, command, payload, { sdkAppId: SDKAPPID, token: TOKEN, ...options });
  const result = await send(url, command, payload, { sdkAppId: SDKAPPID, token: TOKEN, ...options });
  const ok = result.status === expect[0] && JSON.stringify(result.reply) === JSON.stringify(expect[1]);
  console.log(
    `    ← ${result.status} ${result.text}  ${ok ? '✓' : `✗ expected ${expect[0]} ${JSON.stringify(expect[1])}`}\n`,
  );
  if (!ok) failures++;
}

// The worker logs handed-off events as it takes them: give it a moment before closing.
if (redis) await new Promise((resolve) => setTimeout(resolve, 500));
if (inspectorUrl) {
  // Every request reached the inspector (twice-sent cases count twice).
  await new Promise((resolve) => setImmediate(resolve));
  const recorded = await (await fetch(`${inspectorUrl}api/callbacks`)).json();
  const sent = cases.reduce((count, { twice }) => count + (twice ? 2 : 1), 0);
  const ok = recorded.length === sent;
  console.log(`The inspector recorded ${recorded.length} of ${sent} callbacks ${ok ? '✓' : '✗'}: ${inspectorUrl}`);
  if (!ok) failures++;
  if (process.env.IM_DEMO_KEEP === '1') {
    console.log('IM_DEMO_KEEP=1: the app keeps running; Ctrl-C to stop.');
    await new Promise(() => {});
  }
}
await close();
await redis?.stop();
console.log(
  failures === 0 ? `All ${cases.length} replies as expected.` : `${failures} of ${cases.length} replies were wrong.`,
);
process.exit(failures === 0 ? 0 : 1);
