/**
 * Foreign throwables (issue 19, item 2), over real HTTP on every target: values `String()` cannot
 * convert (a null-prototype object, a throwing `toString`, a revoked Proxy), `undefined`, a Symbol and
 * a thenable that never settles, thrown or rejected by handlers, observers (`onAny`) and `onError`
 * (sync and async), and hidden in decisions (a getter or `toJSON` that throws one). Nothing crashes
 * (no unhandled rejection, no uncaught exception), nothing fails open (a before-callback gets the
 * `reject` fallback), nothing leaks (every answer is the JSON of the status table, never a
 * framework's HTML error page), and `onError` only ever receives typed errors.
 */
import { allow, ImCallbackError, silentLogger } from '@im-callbacks/core';
import { neverSettles, post, revoked, throwingToString } from '@im-callbacks/test-helpers';
import { buildRequest, sample } from '@im-callbacks/testing';
import type { RunningTarget, TargetOptions } from '../conformance/target';
import { targets } from '../conformance/targets';

const APP = 1400000000;
const TOKEN = 'throwables-token';
const SEND = 'Group.CallbackBeforeSendMsg';
const AFTER = 'Group.CallbackAfterSendMsg';
const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const REJECTED = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each made fresh per use (a revoked Proxy cannot be inspected at all). */
const values: { name: string; make: () => unknown }[] = [
  { name: 'Object.create(null)', make: () => Object.create(null) },
  { name: 'an object whose toString throws', make: throwingToString },
  { name: 'a revoked Proxy', make: revoked },
  { name: 'undefined', make: () => undefined },
  { name: 'a Symbol', make: () => Symbol('thrown') },
  { name: 'a thenable that never settles', make: neverSettles },
];

/** Unhandled rejections and uncaught exceptions seen while a test runs (each would exit a real process). */
const escaped: unknown[] = [];
const onEscape = (reason: unknown) => {
  escaped.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
});
afterAll(() => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
});

interface App extends RunningTarget {
  errors: unknown[];
}
let running: App | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(target: (typeof targets)[number], options: Partial<TargetOptions> = {}): Promise<App> {
  const app = (await target.start({ sdkAppId: APP, token: TOKEN, logger: silentLogger, ...options })) as App;
  app.errors = [];
  running = app;
  return app;
}

const signed = (command: typeof SEND | typeof AFTER) =>
  buildRequest(command, sample(command), { sdkAppId: APP, token: TOKEN });

/** Settles what the receiver does after the answer (late reports, observers), then checks nothing escaped. */
async function settled(app: App): Promise<void> {
  await sleep(40);
  expect(escaped.map((reason) => typeof reason)).toEqual([]);
  for (const error of app.errors) expect(error).toBeInstanceOf(ImCallbackError);
}

describe.each(targets)('foreign throwables: $name', (target) => {
  beforeEach(() => {
    escaped.length = 0;
  });

  test.each(values)('$name thrown or rejected by a before-callback handler: the reject fallback', async ({ make }) => {
    const app = await start(target, { fallback: 'reject', deadline: 100 });
    app.im.onError((error: unknown) => app.errors.push(error));
    let call = 0;
    app.im.on(SEND, () => {
      call++;
      if (call === 1) throw make();
      return Promise.reject(make());
    });
    for (let i = 0; i < 2; i++) {
      const answer = await post(app.url, signed(SEND).query, signed(SEND).body);
      expect([answer.status, answer.text]).toEqual([200, REJECTED]);
    }
    await settled(app);
    expect(app.errors.map((error) => (error as ImCallbackError).code)).toEqual(['HANDLER_FAILED', 'HANDLER_FAILED']);
  });

  test.each(values)('$name returned as a decision or inside one: the reject fallback', async ({ make }) => {
    const app = await start(target, { fallback: 'reject', deadline: 100 });
    app.im.onError((error: unknown) => app.errors.push(error));
    const decisions: (() => unknown)[] = [
      // The value itself as the decision (a never-settling thenable misses the deadline).
      make,
      // A decision whose getter throws it.
      () => ({
        get decision(): string {
          throw make();
        },
      }),
      // A MsgBody element whose toJSON throws it.
      () =>
        allow({
          MsgBody: [
            {
              MsgType: 'TIMTextElem',
              MsgContent: {
                Text: 'x',
                toJSON() {
                  throw make();
                },
              },
            },
          ] as never,
        }),
    ];
    let call = 0;
    app.im.on(SEND, () => (decisions[call++] as () => unknown)() as never);
    for (let i = 0; i < decisions.length; i++) {
      const answer = await post(app.url, signed(SEND).query, signed(SEND).body);
      // `undefined` as the decision means allow.
      const expected = i === 0 && make() === undefined ? OK : REJECTED;
      expect([i, answer.status, answer.text]).toEqual([i, 200, expected]);
    }
    await settled(app);
  });

  test.each(values)(
    '$name thrown or rejected by an after-callback handler: 500 HANDLER_FAILED, JSON',
    async ({ make }) => {
      const app = await start(target, { deadline: 100 });
      app.im.onError((error: unknown) => app.errors.push(error));
      let call = 0;
      app.im.on(AFTER, () => {
        call++;
        if (call === 1) throw make();
        return Promise.reject(make());
      });
      for (let i = 0; i < 2; i++) {
        const answer = await post(app.url, signed(AFTER).query, signed(AFTER).body);
        expect(answer.status).toBe(500);
        expect(JSON.parse(answer.text)).toEqual({
          ActionStatus: 'FAIL',
          ErrorInfo: 'HANDLER_FAILED: internal failure',
          ErrorCode: 1,
        });
      }
      await settled(app);
    },
  );

  test.each(values)('$name thrown or rejected by onAny observers: answered, nothing escapes', async ({ make }) => {
    const app = await start(target, { deadline: 100 });
    app.im.onError((error: unknown) => app.errors.push(error));
    app.im.onAny(() => {
      throw make();
    });
    app.im.onAny(() => Promise.reject(make()));
    app.im.onAny(neverSettles);
    const before = await post(app.url, signed(SEND).query, signed(SEND).body);
    expect([before.status, before.text]).toEqual([200, OK]);
    await settled(app);
    expect(app.errors.map((error) => (error as ImCallbackError).code)).toEqual(['HANDLER_FAILED', 'HANDLER_FAILED']);
  });

  test.each(values)(
    '$name thrown or rejected by onError (sync and async): a forged request still gets its JSON 401',
    async ({ make }) => {
      const app = await start(target);
      app.im.onError(() => {
        throw make();
      });
      app.im.onError(() => Promise.reject(make()));
      app.im.onError(neverSettles);
      app.im.onError((error: unknown) => app.errors.push(error));
      const forged = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: 'not-the-token' });
      const answer = await post(app.url, forged.query, forged.body);
      expect(answer.status).toBe(401);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(answer.text)).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1 });
      await settled(app);
      expect(app.errors.map((error) => (error as ImCallbackError).code)).toEqual(['SIGN_INVALID']);
    },
  );
});
