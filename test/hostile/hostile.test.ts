/**
 * Hostile clients over real HTTP, against every conformance target:
 *  (a) a client that keeps sending a huge body after being refused (401, 403, 413): the server
 *      answers, stops reading, and closes the connection; it reads a bounded number of bytes
 *      (Node adapters; the bytes each target read are printed and written to SUMMARY_FILE);
 *  (b) a body that stalls: 408 BODY_TIMEOUT at `bodyTimeout` (and the default without it);
 *  (c) forbidden keys spelt with JSON escapes: 400 BODY_FORBIDDEN_KEY, no handler, no pollution;
 *  (d) malformed decisions: the fallback decision, one DECISION_INVALID, never a bare TypeError;
 *  (e) a before-callback that never decides (fallback at the deadline) and an after-callback
 *      that throws (500 HANDLER_FAILED).
 * Every request has its own time bound; every server is closed after its test.
 */
import { writeFileSync } from 'node:fs';
import {
  allow,
  type FriendResult,
  type FriendResultsDecision,
  friendResults,
  ImCallbackError,
  reject,
  silentLogger,
} from '@im-callbacks/core';
import { type FloodResult, flood, portOf, post, ServerSockets, slowBody, stall } from '@im-callbacks/test-helpers';
import { buildRequest, sample } from '@im-callbacks/testing';
import type { RunningTarget, Target, TargetOptions } from '../conformance/target';
import { targets } from '../conformance/targets';

const APP = 1400000000;
const TOKEN = 'hostile-token';
const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const AFTER = 'Group.CallbackAfterSendMsg';
const SEND = 'Group.CallbackBeforeSendMsg';
const FRIEND = 'Sns.CallbackPrevFriendAdd';
const MiB = 1024 * 1024;
/** The most the server may read of a refused body: headers, the limit, kernel buffers. */
const MAX_SERVER_BYTES = 16 * MiB;
const SUMMARY_FILE = '/tmp/im-callbacks-hostile-bytes.json';

const nodeTargets = targets.filter((target) => target.name !== 'fetch');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Options that may not exist in core's types yet (`bodyTimeout`): passed without an excess-property check. */
type HostileOptions = Partial<TargetOptions> & { bodyTimeout?: number };

interface App extends RunningTarget {
  port: number;
  errors: unknown[];
  deliveries: unknown[];
}

const servers = new ServerSockets();
const running: App[] = [];

async function start(target: Target, options: HostileOptions = {}): Promise<App> {
  const full: TargetOptions = { sdkAppId: APP, logger: silentLogger, ...options };
  const app = (await target.start(full)) as App;
  app.port = portOf(app.url);
  app.errors = [];
  app.deliveries = [];
  app.im.onError((error: unknown) => {
    app.errors.push(error);
  });
  app.im.onAny((event: unknown) => {
    app.deliveries.push(event);
  });
  running.push(app);
  return app;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

/** onError got exactly one error: an ImCallbackError with this code and status. */
async function expectOneError(app: App, code: string, status: number): Promise<ImCallbackError> {
  await sleep(30); // a duplicate report would come at once; give it the chance to show
  const summary = app.errors.map((e) =>
    e instanceof ImCallbackError ? `${e.code}/${e.status}` : `not an ImCallbackError: ${String(e)}`,
  );
  expect(summary).toEqual([`${code}/${status}`]);
  return app.errors[0] as ImCallbackError;
}

function expectFail(text: string, code: string): void {
  const reply = JSON.parse(text) as Record<string, unknown>;
  expect(reply).toEqual({ ActionStatus: 'FAIL', ErrorInfo: expect.any(String), ErrorCode: 1 });
  expect(reply.ErrorInfo).toMatch(new RegExp(`^${code}: `));
}

const query = (command: string, options: { sdkAppId?: number; token?: string } = {}) =>
  buildRequest(command, {}, { sdkAppId: options.sdkAppId ?? APP, token: options.token }).query;

// -------------------------------------------------------------------------------------------------
// (a) early refusal with a client that keeps sending
// -------------------------------------------------------------------------------------------------

interface FloodCase {
  name: string;
  status: number;
  code: string;
  framing: 'length' | 'chunked';
  options: HostileOptions;
  query: () => string;
}

const floodCases: FloodCase[] = [
  {
    name: '401 bad Sign, Content-Length 10 GB',
    status: 401,
    code: 'SIGN_INVALID',
    framing: 'length',
    options: { token: TOKEN },
    query: () => query(AFTER, { token: 'not-the-token' }),
  },
  {
    name: '401 bad Sign, chunked',
    status: 401,
    code: 'SIGN_INVALID',
    framing: 'chunked',
    options: { token: TOKEN },
    query: () => query(AFTER, { token: 'not-the-token' }),
  },
  {
    name: '403 wrong SdkAppid, Content-Length 10 GB',
    status: 403,
    code: 'SDKAPPID_MISMATCH',
    framing: 'length',
    options: {},
    query: () => query(AFTER, { sdkAppId: APP + 1 }),
  },
  {
    name: '403 wrong SdkAppid, chunked',
    status: 403,
    code: 'SDKAPPID_MISMATCH',
    framing: 'chunked',
    options: {},
    query: () => query(AFTER, { sdkAppId: APP + 1 }),
  },
  {
    name: '413 Content-Length 10 GB over bodyLimit',
    status: 413,
    code: 'BODY_TOO_LARGE',
    framing: 'length',
    options: {},
    query: () => query(AFTER),
  },
  {
    name: '413 chunked body crossing bodyLimit (256 KiB) mid-stream',
    status: 413,
    code: 'BODY_TOO_LARGE',
    framing: 'chunked',
    options: { bodyLimit: 256 * 1024 },
    query: () => query(AFTER),
  },
];

interface FloodRow {
  target: string;
  case: string;
  status: number | undefined;
  responseMs: number | undefined;
  closedMs: number | undefined;
  closeKind: string | undefined;
  serverBytesRead: number | undefined;
  clientFlushedBytes: number;
  clientQueuedBytes: number;
}
const floodRows: FloodRow[] = [];

afterAll(() => {
  servers.close();
  if (floodRows.length === 0) return;
  const mib = (n: number | undefined) => (n === undefined ? '?' : (n / MiB).toFixed(2));
  const lines = floodRows.map(
    (r) =>
      `${r.target.padEnd(10)} ${r.case.padEnd(58)} ${String(r.status).padStart(4)} ` +
      `answer ${String(r.responseMs).padStart(5)} ms  closed ${String(r.closedMs).padStart(5)} ms (${r.closeKind})  ` +
      `server read ${mib(r.serverBytesRead).padStart(8)} MiB  client flushed ${mib(r.clientFlushedBytes).padStart(8)} MiB`,
  );
  console.log(`early refusal, client keeps sending (bytes per target):\n${lines.join('\n')}`);
  writeFileSync(SUMMARY_FILE, `${JSON.stringify(floodRows, null, 2)}\n`);
});

describe.each(nodeTargets)('(a) early refusal while the client keeps sending: $name', (target) => {
  test.each(floodCases)(
    '$name',
    async (c) => {
      const app = await start(target, c.options);
      const result: FloodResult = await flood({
        port: app.port,
        path: `/im/callback?${c.query()}`,
        framing: c.framing,
        sendMs: 2000,
        closeWaitMs: 1000,
        servers,
      });
      floodRows.push({
        target: target.name,
        case: c.name,
        status: result.response?.status,
        responseMs: result.responseMs,
        closedMs: result.closedMs,
        closeKind: result.closeKind,
        serverBytesRead: result.serverBytesRead,
        clientFlushedBytes: result.clientFlushedBytes,
        clientQueuedBytes: result.clientQueuedBytes,
      });
      // The full answer arrived, although the client never stopped sending.
      expect(result.response?.status).toBe(c.status);
      expectFail(result.response?.body ?? '', c.code);
      // The server closed the connection within ~2 s.
      expect(result.closedMs).toBeDefined();
      expect(result.closedMs).toBeLessThanOrEqual(2500);
      // And read a bounded number of bytes.
      expect(result.serverBytesRead).toBeDefined();
      expect(result.serverBytesRead).toBeLessThan(MAX_SERVER_BYTES);
      await expectOneError(app, c.code, c.status);
      expect(app.deliveries).toHaveLength(0);
    },
    10_000,
  );
});

// -------------------------------------------------------------------------------------------------
// (b) stalled body
// -------------------------------------------------------------------------------------------------

describe.each(targets)('(b) stalled body: $name', (target) => {
  const isNode = target.name !== 'fetch';
  test('Content-Length 500, 100 bytes sent, then nothing: 408 BODY_TIMEOUT at bodyTimeout (300 ms), connection closed', async () => {
    const app = await start(target, { bodyTimeout: 300 });
    const result = await stall({
      port: app.port,
      path: `/im/callback?${query(AFTER)}`,
      declaredLength: 500,
      sent: Buffer.from(`{"GroupId":"${'x'.repeat(100 - 13)}`),
      answerWaitMs: 2000,
      closeWaitMs: isNode ? 1500 : 0,
    });
    expect(result.response?.status).toBe(408);
    expectFail(result.response?.body ?? '', 'BODY_TIMEOUT');
    expect(result.responseMs).toBeGreaterThanOrEqual(250);
    expect(result.responseMs).toBeLessThanOrEqual(600);
    if (isNode) {
      expect(result.response?.headers.connection).toBe('close');
      expect(result.closedMs).toBeDefined();
      expect(result.closedMs).toBeLessThanOrEqual((result.responseMs ?? 0) + 1500);
    }
    await expectOneError(app, 'BODY_TIMEOUT', 408);
    expect(app.deliveries).toHaveLength(0);
  }, 10_000);
});

describe('(b) stalled body, default bodyTimeout', () => {
  const target = targets.find((t) => t.name === 'express 5') ?? (targets[0] as Target);
  test(`${target.name}: without the option, 408 BODY_TIMEOUT arrives by the 3 s default (before 5.2 s)`, async () => {
    const app = await start(target);
    const result = await stall({
      port: app.port,
      path: `/im/callback?${query(AFTER)}`,
      declaredLength: 500,
      sent: Buffer.from(`{"GroupId":"${'x'.repeat(100 - 13)}`),
      answerWaitMs: 5200,
      closeWaitMs: 0,
    });
    expect(result.response?.status).toBe(408);
    expectFail(result.response?.body ?? '', 'BODY_TIMEOUT');
    expect(result.responseMs).toBeGreaterThanOrEqual(2500);
    expect(result.responseMs).toBeLessThanOrEqual(5200);
    await expectOneError(app, 'BODY_TIMEOUT', 408);
  }, 10_000);
});

// -------------------------------------------------------------------------------------------------
// (c) forbidden keys spelt with JSON escapes
// -------------------------------------------------------------------------------------------------

const forbiddenBodies: { name: string; body: string }[] = [
  { name: '__proto__ with an escaped underscore', body: String.raw`{"\u005f_proto__":{"polluted":1}}` },
  {
    name: '__proto__ fully escaped underscores, in an array item',
    body: String.raw`{"GroupId":"g","x":[{"\u005f\u005fproto\u005f\u005f":{}}]}`,
  },
  {
    name: 'constructor.prototype, prototype escaped',
    body: String.raw`{"constructor":{"prot\u006ftype":{"polluted":1}}}`,
  },
  { name: 'constructor.prototype nested two levels down', body: '{"a":{"b":{"constructor":{"prototype":{}}}}}' },
];

describe.each(targets)('(c) escaped forbidden keys: $name', (target) => {
  const upstreams = target.name === 'fetch' ? (['none'] as const) : (['none', 'json'] as const);
  describe.each(upstreams)('upstream %s', (upstream) => {
    test.each(forbiddenBodies)('$name → 400 BODY_FORBIDDEN_KEY, no handler, no pollution', async ({ body }) => {
      const app = await start(target, { upstream });
      let called = 0;
      app.im.on(AFTER, () => {
        called++;
      });
      const answer = await post(app.url, query(AFTER), body, { 'content-type': 'application/json' });
      expect(answer.status).toBe(400);
      expectFail(answer.text, 'BODY_FORBIDDEN_KEY');
      expect(called).toBe(0);
      expect(app.deliveries).toHaveLength(0);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
      await expectOneError(app, 'BODY_FORBIDDEN_KEY', 400);
    });
  });
});

// -------------------------------------------------------------------------------------------------
// (d) malformed decisions
// -------------------------------------------------------------------------------------------------

const originalFriends = (sample(FRIEND).FriendItem as readonly { To_Account: string }[]).map((f) => f.To_Account);

interface DecisionCase {
  name: string;
  command: typeof FRIEND | typeof SEND;
  handler: (event: { payload: unknown }) => unknown;
  /**
   * For a handler that corrupts the payload and then returns a valid decision: the ResultCode each
   * friend of the request as it arrived gets. The reply is computed from a snapshot taken before
   * any handler ran, so the decision applies to the original friends and nothing is reported.
   */
  decidedCode?: number;
}

const decisionCases: DecisionCase[] = [
  {
    name: 'friendResults([null])',
    command: FRIEND,
    handler: () => friendResults([null as unknown as FriendResult]),
  },
  {
    name: "{ decision: 'friend-results', results: 'x' }",
    command: FRIEND,
    handler: () => ({ decision: 'friend-results', results: 'x' }) as unknown as FriendResultsDecision,
  },
  {
    name: 'payload.FriendItem = [null], then reject()',
    command: FRIEND,
    handler: (event) => {
      (event.payload as { FriendItem: unknown }).FriendItem = [null];
      return reject();
    },
    decidedCode: 38000,
  },
  {
    name: 'payload.FriendItem = [null], then undefined',
    command: FRIEND,
    handler: (event) => {
      (event.payload as { FriendItem: unknown }).FriendItem = [null];
      return undefined;
    },
    decidedCode: 0,
  },
  {
    name: 'allow({ MsgBody }) with a BigInt (unserialisable)',
    command: SEND,
    handler: () => allow({ MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 1n } }] } as never),
  },
  {
    name: 'allow({ MsgBody }) with a circular element',
    command: SEND,
    handler: () => {
      const element: Record<string, unknown> = { MsgType: 'TIMTextElem', MsgContent: { Text: 'x' } };
      (element.MsgContent as Record<string, unknown>).self = element;
      return allow({ MsgBody: [element] } as never);
    },
  },
];

describe.each(targets)('(d) malformed decisions: $name', (target) => {
  test.each(decisionCases)('$name → 200, the original friends, never a 500 or a bare TypeError', async (c) => {
    const app = await start(target);
    app.im.on(c.command, c.handler as never);
    const built = buildRequest(c.command, sample(c.command), { sdkAppId: APP });
    const answer = await post(app.url, built.query, built.body);
    expect(answer.status).toBe(200);
    await sleep(30);
    // Never a bare TypeError (or anything else) in onError.
    for (const error of app.errors) expect(error).toBeInstanceOf(ImCallbackError);
    if (c.command === SEND) {
      expect(answer.text).toBe(OK);
      await expectOneError(app, 'DECISION_INVALID', 200);
      return;
    }
    const reply = JSON.parse(answer.text) as {
      ActionStatus: string;
      ErrorCode: number;
      ResultItem: { To_Account: string; ResultCode: number }[];
    };
    expect(reply.ActionStatus).toBe('OK');
    expect(reply.ErrorCode).toBe(0);
    const results = reply.ResultItem.map((item) => [item.To_Account, item.ResultCode]);
    // Every friend of the request as it arrived, and only them.
    expect(results.map(([account]) => account)).toEqual(originalFriends);
    if (c.decidedCode !== undefined) {
      // A valid decision after corrupting the payload: applied to the friends of the snapshot.
      expect(results).toEqual(originalFriends.map((account) => [account, c.decidedCode]));
      expect(app.errors).toEqual([]);
    } else {
      // A malformed decision: the fallback (allow), ResultCode 0 for each, and one DECISION_INVALID.
      expect(results).toEqual(originalFriends.map((account) => [account, 0]));
      const error = await expectOneError(app, 'DECISION_INVALID', 200);
      expect(error.command).toBe(c.command);
    }
  });
});

// -------------------------------------------------------------------------------------------------
// (e) deadline and failing handlers
// -------------------------------------------------------------------------------------------------

describe.each(targets)('(e) handlers that never answer or throw: $name', (target) => {
  test('a before-callback that never decides is answered with the fallback at the deadline (200 ms)', async () => {
    const app = await start(target, { deadline: 200 });
    app.im.on(SEND, () => new Promise<never>(() => {}));
    const built = buildRequest(SEND, sample(SEND), { sdkAppId: APP });
    const answer = await post(app.url, built.query, built.body);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(OK);
    expect(answer.ms).toBeGreaterThanOrEqual(180);
    expect(answer.ms).toBeLessThanOrEqual(600);
    await expectOneError(app, 'HANDLER_TIMEOUT', 200);
  });

  test("the deadline counts from the request's arrival: a body 250 ms late leaves the handlers the rest (400 ms)", async () => {
    const app = await start(target, { deadline: 400 });
    app.im.on(SEND, () => new Promise<never>(() => {}));
    const built = buildRequest(SEND, sample(SEND), { sdkAppId: APP });
    const result = await slowBody({
      port: app.port,
      path: `/im/callback?${built.query}`,
      body: Buffer.from(built.body),
      firstBytes: 10,
      delayMs: 250,
      answerWaitMs: 2000,
    });
    expect(result.response?.status).toBe(200);
    expect(result.response?.body).toBe(OK);
    // From the head: the deadline (400), not the body's delay plus the deadline (650).
    expect(result.responseMs).toBeGreaterThanOrEqual(380);
    expect(result.responseMs).toBeLessThan(560);
    await expectOneError(app, 'HANDLER_TIMEOUT', 200);
  });

  test('an after-callback handler that throws gives 500 HANDLER_FAILED, its message kept off the wire', async () => {
    const app = await start(target);
    app.im.on(AFTER, () => {
      throw new Error('secret internals');
    });
    const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
    const answer = await post(app.url, built.query, built.body);
    expect(answer.status).toBe(500);
    expectFail(answer.text, 'HANDLER_FAILED');
    expect(answer.text).not.toContain('secret');
    const error = await expectOneError(app, 'HANDLER_FAILED', 500);
    expect((error.cause as Error).message).toBe('secret internals');
  });
});
