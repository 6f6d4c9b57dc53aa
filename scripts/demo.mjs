// The demo: starts one example app (express by default; `pnpm demo koa|fastify|hono` or
// IM_DEMO_FRAMEWORK picks another), fires signed sample callbacks at it the way the IM backend
// does, prints what each handler saw and each reply, and checks every reply. Exits 0 when all
// replies are the expected ones.
import { jsonFromDocExample, sample, seedAfterSendMsgZh, seedSendMsgExceptionZh, send } from '@im-callbacks/testing';

const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono'];
const framework = process.argv[2] ?? process.env.IM_DEMO_FRAMEWORK ?? 'express';
if (!FRAMEWORKS.includes(framework)) {
  console.error(`Unknown framework "${framework}"; choose one of ${FRAMEWORKS.join(', ')}.`);
  process.exit(2);
}

const SDKAPPID = 1400000000;
const TOKEN = 'demo-callback-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

const { start } = await import(`../examples/${framework}/src/app.mjs`);
const { url, close } = await start({
  sdkAppId: SDKAPPID,
  token: TOKEN,
  log: (line) => console.log(`    app: ${line}`),
});
console.log(`im-callbacks demo: ${framework} example listening at ${url}\n`);

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

let failures = 0;
for (const [index, { title, command, payload, options, expect }] of cases.entries()) {
  console.log(`${index + 1}. ${title}\n    → POST ${command}`);
  const result = await send(url, command, payload, { sdkAppId: SDKAPPID, token: TOKEN, ...options });
  const ok = result.status === expect[0] && JSON.stringify(result.reply) === JSON.stringify(expect[1]);
  console.log(
    `    ← ${result.status} ${result.text}  ${ok ? '✓' : `✗ expected ${expect[0]} ${JSON.stringify(expect[1])}`}\n`,
  );
  if (!ok) failures++;
}

await close();
console.log(
  failures === 0 ? `All ${cases.length} replies as expected.` : `${failures} of ${cases.length} replies were wrong.`,
);
process.exit(failures === 0 ? 0 : 1);
