/**
 * One HTTP conformance suite, run identically against every adapter and framework major:
 * real servers on loopback, real requests. Every row of the status table, signed and unsigned
 * apps, every decision's wire reply, the deadline fallback, body limits, upstream body parsers,
 * missing Content-Type, and pass-through of requests that are not callbacks.
 */
import http from 'node:http';
import {
  type AnyCallbackEvent,
  allow,
  discard,
  type ImCallbackError,
  isMsgElement,
  PayloadValidationError,
  reject,
  SignatureError,
} from '@im-callbacks/core';
import { rawRequest } from '@im-callbacks/test-helpers';
import {
  buildRequest,
  jsonFromDocExample,
  sample,
  seedAfterSendMsgZh,
  seedSendMsgExceptionEn,
  seedSendMsgExceptionZh,
  sign,
} from '@im-callbacks/testing';
import request from 'supertest';
import { AFTER, APP, appsOf, BEFORE, OK } from './apps';
import type { RunningTarget } from './target';
import { targets } from './targets';

const TOKEN = 'conformance-token';

interface PostOptions {
  command?: string;
  payload?: unknown;
  /** Replace the whole query string. */
  query?: string;
  token?: string;
  requestTime?: number;
  contentType?: string;
}

function post(app: RunningTarget, options: PostOptions = {}) {
  const command = options.command ?? AFTER;
  const payload = options.payload ?? sample(AFTER);
  const built = buildRequest(command, payload, {
    sdkAppId: APP,
    token: options.token,
    requestTime: options.requestTime,
  });
  const req = request(app.url).post(`?${options.query ?? built.query}`);
  // A string goes out as is with the Content-Type set; with none, a Buffer, to which superagent
  // adds no Content-Type of its own (it would JSON-encode a Buffer under a JSON type).
  if (options.contentType) return req.set('Content-Type', options.contentType).send(built.body);
  return req.send(Buffer.from(built.body));
}

/** A POST written on a raw socket, so the request target goes out exactly as given (a `#` included). */
function rawPost(url: string, query: string, body: string) {
  const { port, pathname } = new URL(url);
  return rawRequest(Number(port), 'POST', `${pathname}?${query}`, body);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(targets)('$name', (target) => {
  const start = appsOf(target);

  describe('the seed pages', () => {
    test('Group.CallbackAfterSendMsg example (EventTime a number) is acknowledged and typed', async () => {
      const app = await start({ token: TOKEN });
      const seen: unknown[] = [];
      app.im.on(AFTER, (event) => {
        seen.push(event);
      });
      const res = await post(app, { payload: jsonFromDocExample(seedAfterSendMsgZh), token: TOKEN });
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(seen).toHaveLength(1);
      const event = seen[0] as {
        command: string;
        kind: string;
        sdkAppId: number;
        clientIp: string;
        optPlatform: string;
        requestTime: number;
        payload: Record<string, unknown>;
      };
      expect(event.command).toBe(AFTER);
      expect(event.kind).toBe('after');
      expect(event.sdkAppId).toBe(APP);
      expect(event.clientIp).toBe('127.0.0.1');
      expect(event.optPlatform).toBe('RESTAPI');
      expect(typeof event.requestTime).toBe('number');
      expect(event.payload).toMatchObject({
        GroupId: '@TGS#2J4SZEAEL',
        MsgSeq: 123,
        EventTime: 1670574414123,
        GroupAtInfo: [
          { GroupAtAllFlag: 1 },
          { GroupAtAllFlag: 0, GroupAt_Account: 'brennan' },
          { GroupAtAllFlag: 0, GroupAt_Account: 'tandy' },
        ],
        MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'red packet' } }],
      });
    });

    test('Group.CallbackSendMsgException example (EventTime a string) is delivered with EventTime a number', async () => {
      const app = await start();
      const seen: Record<string, unknown>[] = [];
      app.im.on('Group.CallbackSendMsgException', (event) => {
        seen.push(event.payload);
      });
      const res = await post(app, {
        command: 'Group.CallbackSendMsgException',
        payload: jsonFromDocExample(seedSendMsgExceptionZh),
      });
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
      expect(seen[0]).toMatchObject({
        EventTime: 1670574414123,
        ErrorCode: 10023,
        ErrorInfo: 'msg count exceeds limit,please retry later',
      });
    });

    test('the English page example, which is not JSON, is refused with 400 and its text reaches onError', async () => {
      const app = await start();
      const res = await post(app, { command: 'Group.CallbackSendMsgException', payload: seedSendMsgExceptionEn });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1 });
      expect(res.body.ErrorInfo).toMatch(/^BODY_INVALID_JSON/);
      expect(app.errors.map((e) => [e.code, e.status, e.payload])).toEqual([
        ['BODY_INVALID_JSON', 400, seedSendMsgExceptionEn],
      ]);
    });
  });

  describe('the status table', () => {
    const cases: [string, (q: string) => string, number, string][] = [
      ['SdkAppid missing', (q) => q.replace(/SdkAppid=\d+&/, ''), 403, 'SDKAPPID_MISSING'],
      ['SdkAppid not ours', (q) => q.replace(`SdkAppid=${APP}`, 'SdkAppid=1400000001'), 403, 'SDKAPPID_MISMATCH'],
      ['SdkAppid repeated', (q) => `${q}&SdkAppid=${APP}`, 400, 'QUERY_MALFORMED'],
      ['SdkAppid as an array', (q) => q.replace(`SdkAppid=${APP}`, `SdkAppid[]=${APP}`), 400, 'QUERY_MALFORMED'],
      ['CallbackCommand missing', (q) => q.replace(/CallbackCommand=[^&]+&/, ''), 400, 'COMMAND_MISSING'],
    ];
    test.each(cases)('%s → %i %s', async (_name, mutate, status, code) => {
      const app = await start();
      const handler = jest.fn();
      app.im.onAny(handler);
      const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
      const res = await post(app, { query: mutate(built.query) });
      expect(res.status).toBe(status);
      expect(res.body).toEqual({
        ActionStatus: 'FAIL',
        ErrorCode: 1,
        ErrorInfo: expect.stringMatching(new RegExp(`^${code}: `)),
      });
      expect(app.errors.map((e) => [e.code, e.status])).toEqual([[code, status]]);
      expect(handler).not.toHaveBeenCalled();
    });

    test('SdkAppid is matched case-insensitively by name (SDKAppID)', async () => {
      const app = await start();
      const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
      const res = await post(app, { query: built.query.replace('SdkAppid=', 'SDKAppID=') });
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
    });

    test('one server for several apps (sdkAppId list)', async () => {
      const app = await start({ sdkAppId: [APP, '1400000002'] });
      const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: 1400000002 });
      expect((await post(app, { query: built.query })).status).toBe(200);
    });

    test.each([
      [
        'command mismatch',
        { payload: { ...sample(AFTER), CallbackCommand: 'Group.CallbackSendMsgException' } },
        'COMMAND_MISMATCH',
      ],
      ['bad JSON', { payload: '{"GroupId": ' }, 'BODY_INVALID_JSON'],
      ['a __proto__ key', { payload: '{"GroupId":"g","__proto__":{"polluted":true}}' }, 'BODY_FORBIDDEN_KEY'],
    ])('%s → 400', async (_name, options, code) => {
      const app = await start();
      const res = await post(app, options);
      expect(res.status).toBe(400);
      expect(res.body.ActionStatus).toBe('FAIL');
      expect(res.body.ErrorInfo).toMatch(new RegExp(`^${code}`));
      expect(app.errors.map((e) => e.code)).toEqual([code]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    describe("the IM console's URL check: no event → 200 OK once authenticated, nothing dispatched", () => {
      const fresh = () => {
        const time = nowSeconds();
        return `RequestTime=${time}&Sign=${sign(TOKEN, time)}`;
      };
      const queries: [string, string][] = [
        ['SdkAppid and CallbackCommand', `SdkAppid=${APP}&CallbackCommand=${AFTER}&`],
        ['no SdkAppid', `CallbackCommand=${AFTER}&`],
        ['no CallbackCommand', `SdkAppid=${APP}&`],
        ['neither', ''],
      ];
      const bodies: [string, string, boolean][] = [
        ['no body at all', '', false],
        ['an empty body', '', true],
        ['{}', '{}', true],
      ];
      const forms = queries.flatMap(([q, query]) =>
        bodies.map(([b, body, length]) => [`${q}, ${b}`, query, body, length] as const),
      );
      test.each(forms)('%s', async (_name, query, body, length) => {
        const signed = await start({ token: TOKEN });
        const unsigned = await start();
        for (const app of [signed, unsigned]) {
          const handler = jest.fn();
          app.im.onAny(handler);
          app.im.on(AFTER, handler);
          const { port, pathname } = new URL(app.url);
          const res = await rawRequest(Number(port), 'POST', `${pathname}?${query}${fresh()}`, body, length);
          expect([res.status, res.text]).toEqual([200, OK]);
          expect(handler).not.toHaveBeenCalled();
          expect(app.errors).toEqual([]);
        }
      });

      test.each([
        [
          'a forged Sign',
          () => `RequestTime=${nowSeconds()}&Sign=${sign('forged', nowSeconds())}`,
          401,
          'SIGN_INVALID',
        ],
        [
          'a stale RequestTime',
          () => `RequestTime=${nowSeconds() - 120}&Sign=${sign(TOKEN, nowSeconds() - 120)}`,
          401,
          'REQUEST_TIME_STALE',
        ],
        ['no Sign', () => '', 401, 'SIGN_MISSING'],
        ['a wrong SdkAppid', () => `SdkAppid=1400000001&${fresh()}`, 403, 'SDKAPPID_MISMATCH'],
      ])('%s → %i %s', async (_name, query, status, code) => {
        const app = await start({ token: TOKEN });
        const handler = jest.fn();
        app.im.onAny(handler);
        const { port, pathname } = new URL(app.url);
        const res = await rawRequest(Number(port), 'POST', `${pathname}?${query()}`, '');
        expect(res.status).toBe(status);
        expect(JSON.parse(res.text).ErrorInfo).toMatch(new RegExp(`^${code}: `));
        expect(app.errors.map((e) => e.code)).toEqual([code]);
        expect(handler).not.toHaveBeenCalled();
      });
    });

    describe('authenticated, parses, but fails its schema → 200, never dispatched, PAYLOAD_INVALID reported', () => {
      test('after-callback: the OK ack; the raw payload, command, issues and request id to onError', async () => {
        const app = await start({ token: TOKEN });
        const handler = jest.fn();
        app.im.on(AFTER, handler);
        app.im.onAny(handler);
        const payload = { ...sample(AFTER), GroupId: 42 };
        const built = buildRequest(AFTER, payload, { sdkAppId: APP, token: TOKEN });
        const res = await post(app, { payload, query: `${built.query}&RequestID=req-42` });
        expect([res.status, res.text]).toEqual([200, OK]);
        expect(handler).not.toHaveBeenCalled();
        expect(app.errors).toHaveLength(1);
        const error = app.errors[0] as ImCallbackError & { issues: unknown[]; path: string };
        expect([error.code, error.status, error.command, error.requestId]).toEqual([
          'PAYLOAD_INVALID',
          200,
          AFTER,
          'req-42',
        ]);
        expect(error).toBeInstanceOf(PayloadValidationError);
        expect(error.payload).toEqual(payload);
        expect(error.path).toBe('GroupId');
        expect(error.message).toMatch(/^payload invalid at GroupId/);
        expect(error.issues.length).toBeGreaterThan(0);
      });

      test('a malformed message element reports its exact path', async () => {
        const app = await start();
        const payload = { ...sample(AFTER), MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 7 } }] };
        const res = await post(app, { payload });
        expect([res.status, res.text]).toEqual([200, OK]);
        expect(app.errors.map((e) => [e.code, e.message])).toEqual([
          ['PAYLOAD_INVALID', expect.stringMatching(/payload invalid at MsgBody\.0\.MsgContent\.Text/)],
        ]);
      });

      test('before-callback: the fallback decision (allow), never a FAIL body with ErrorCode 1', async () => {
        const app = await start();
        const handler = jest.fn(() => reject(10100));
        app.im.on(BEFORE, handler);
        const res = await post(app, { command: BEFORE, payload: { ...sample(BEFORE), MsgBody: 'not a list' } });
        expect([res.status, res.text]).toEqual([200, OK]);
        expect(handler).not.toHaveBeenCalled();
        expect(app.errors.map((e) => [e.code, e.status, e.command])).toEqual([['PAYLOAD_INVALID', 200, BEFORE]]);
      });

      test("before-callback with fallback 'reject': the plain refusal", async () => {
        const app = await start({ fallback: 'reject' });
        const res = await post(app, { command: BEFORE, payload: { ...sample(BEFORE), GroupId: null } });
        expect([res.status, res.body]).toEqual([200, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 1 }]);
      });

      test('friend before-callback: every friend that can be read from the body is allowed', async () => {
        const app = await start();
        const command = 'Sns.CallbackPrevFriendAdd';
        const payload = { ...sample(command), From_Account: 7 };
        const res = await post(app, { command, payload });
        expect(res.status).toBe(200);
        expect(res.body.ResultItem).toEqual(
          payload.FriendItem.map((item) => ({ To_Account: item.To_Account, ResultCode: 0, ResultInfo: '' })),
        );
        expect(app.errors.map((e) => e.code)).toEqual(['PAYLOAD_INVALID']);
      });

      test.each([
        ['a JSON array', '[1,2]'],
        ['a JSON string', '"text"'],
        ['null', 'null'],
      ])('%s (not an object) → 200 OK ack, PAYLOAD_INVALID', async (_name, body) => {
        const app = await start();
        const handler = jest.fn();
        app.im.onAny(handler);
        const res = await post(app, { payload: body });
        expect([res.status, res.text]).toEqual([200, OK]);
        expect(handler).not.toHaveBeenCalled();
        expect(app.errors.map((e) => [e.code, e.status])).toEqual([['PAYLOAD_INVALID', 200]]);
      });
    });

    describe('the request id (RequestID / RequestId)', () => {
      test.each(['RequestID', 'RequestId', 'requestid'])(
        '%s is on the event, outside the Sign, and on errors',
        async (name) => {
          const app = await start({ token: TOKEN });
          const seen: (string | undefined)[] = [];
          app.im.onAny((event) => {
            seen.push(event.requestId);
          });
          const id = '0b7e4c0f-3a2d-4c4e-9f0b-8d7a6c5b4a39';
          const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
          // Tencent's own order: parameters sorted by name, the id among them.
          const query = `${built.query}&${name}=${id}`.split('&').sort().join('&');
          const res = await post(app, { query });
          expect([res.status, res.text]).toEqual([200, OK]);
          expect(seen).toEqual([id]);
          const refused = await post(app, { query: query.replace(/Sign=[0-9a-f]+/, `Sign=${'0'.repeat(64)}`) });
          expect(refused.status).toBe(401);
          expect(app.errors.map((e) => [e.code, e.requestId])).toEqual([['SIGN_INVALID', id]]);
        },
      );

      test('absent: undefined on the event', async () => {
        const app = await start();
        const seen: unknown[] = [];
        app.im.onAny((event) => {
          seen.push(event.requestId);
        });
        await post(app);
        expect(seen).toEqual([undefined]);
      });
    });

    describe('one way to read the query', () => {
      test('a percent-encoded parameter name (Callback%43ommand) is the command', async () => {
        const app = await start();
        const seen: string[] = [];
        app.im.onAny((event) => {
          seen.push(event.command);
        });
        const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
        const res = await post(app, { query: built.query.replace('CallbackCommand=', 'Callback%43ommand=') });
        expect([res.status, res.text]).toEqual([200, OK]);
        expect(seen).toEqual([AFTER]);
      });

      test('a # fragment is not part of the query', async () => {
        const app = await start();
        const seen: (string | undefined)[] = [];
        app.im.onAny((event) => {
          seen.push(event.optPlatform);
        });
        const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
        // Sent raw on purpose: clients never send a fragment, a hostile one may.
        const res = await rawPost(app.url, `${built.query}#OptPlatform=Evil`, built.body);
        expect(res.status).toBe(200);
        expect(seen).toEqual(['RESTAPI']);
        const other = await rawPost(app.url, `SdkAppid=${APP}#&CallbackCommand=${AFTER}`, built.body);
        expect(other.status).toBe(400);
        expect(app.errors.map((e) => e.code)).toEqual(['COMMAND_MISSING']);
      });
    });

    test('unknown command → 200 OK, delivered to onAny as an unknown event', async () => {
      const app = await start();
      const seen: AnyCallbackEvent[] = [];
      app.im.onAny((event) => {
        seen.push(event);
      });
      const res = await post(app, {
        command: 'Group.CallbackFromTheFuture',
        payload: { CallbackCommand: 'Group.CallbackFromTheFuture', X: 1 },
      });
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
      expect(seen.map((e) => [e.kind, e.command, e.payload])).toEqual([
        ['unknown', 'Group.CallbackFromTheFuture', { CallbackCommand: 'Group.CallbackFromTheFuture', X: 1 }],
      ]);
    });

    test('unknown MsgType elements and unknown fields pass through', async () => {
      const app = await start();
      const seen: Record<string, unknown>[] = [];
      app.im.on(AFTER, (event) => {
        seen.push(event.payload);
      });
      const element = { MsgType: 'TIMBrandNewElem', MsgContent: { Whatever: [1] } };
      const res = await post(app, { payload: { ...sample(AFTER), MsgBody: [element], NewField: { a: 1 } } });
      expect(res.status).toBe(200);
      expect(seen[0]?.MsgBody).toEqual([element]);
      expect(seen[0]?.NewField).toEqual({ a: 1 });
    });

    test('a body over the limit → 413 (chunked, 5 MiB), handler not called, server keeps serving', async () => {
      const app = await start();
      const handler = jest.fn();
      app.im.on(AFTER, handler);
      const big = JSON.stringify({ ...sample(AFTER), Padding: 'x'.repeat(5 * 1024 * 1024) });
      const built = buildRequest(AFTER, {}, { sdkAppId: APP });
      const url = new URL(`${app.url}?${built.query}`);
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(big);
      });
      expect(status).toBe(413);
      expect(handler).not.toHaveBeenCalled();
      expect(app.errors.map((e) => [e.code, e.status])).toEqual([['BODY_TOO_LARGE', 413]]);
      expect((await post(app)).status).toBe(200);
    });

    test('a declared 5 MiB body is refused before it is sent', async () => {
      const app = await start();
      const built = buildRequest(AFTER, {}, { sdkAppId: APP });
      const url = new URL(`${app.url}?${built.query}`);
      // Only the first 64 KiB are ever written: a 413 can only come back if the server did not wait for the rest.
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          url,
          { method: 'POST', headers: { 'content-length': String(5 * 1024 * 1024) } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
            req.destroy();
          },
        );
        req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
        req.write(Buffer.alloc(64 * 1024, 32));
      });
      expect(status).toBe(413);
    });

    test('a smaller bodyLimit is honoured', async () => {
      const app = await start({ bodyLimit: 100 });
      const res = await post(app);
      expect(res.status).toBe(413);
      expect(res.body.ErrorInfo).toMatch(/^BODY_TOO_LARGE/);
    });

    test('an after-callback handler that throws → 500, onError, and the server keeps serving', async () => {
      const app = await start();
      let calls = 0;
      app.im.on(AFTER, () => {
        calls++;
        if (calls === 1) throw new Error('database down: secret-dsn');
      });
      const res = await post(app);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ ActionStatus: 'FAIL', ErrorInfo: 'HANDLER_FAILED: internal failure', ErrorCode: 1 });
      expect(res.text).not.toMatch(/secret-dsn|at .*\.ts/);
      expect(app.errors.map((e) => [e.code, e.status, e.command])).toEqual([['HANDLER_FAILED', 500, AFTER]]);
      expect((app.errors[0]?.cause as Error | undefined)?.message).toBe('database down: secret-dsn');
      const again = await post(app);
      expect(again.status).toBe(200);
    });

    test('an async after-callback handler that rejects → 500', async () => {
      const app = await start();
      app.im.on(AFTER, async () => {
        await sleep(5);
        throw new Error('nope');
      });
      const res = await post(app);
      expect(res.status).toBe(500);
      expect(app.errors[0]?.code).toBe('HANDLER_FAILED');
    });

    test('a slow after-callback is acknowledged at the deadline; its late failure still reaches onError', async () => {
      const app = await start({ deadline: 150 });
      app.im.on(AFTER, async () => {
        await sleep(400);
        throw new Error('late');
      });
      const started = Date.now();
      const res = await post(app);
      expect(Date.now() - started).toBeLessThan(380);
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
      expect(app.errors).toEqual([]);
      await sleep(450);
      expect(app.errors.map((e) => [e.code, e.status])).toEqual([['HANDLER_FAILED', 200]]);
    });
  });

  describe('Sign (token configured)', () => {
    test('valid Sign → 200', async () => {
      const app = await start({ token: TOKEN });
      const res = await post(app, { token: TOKEN });
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
    });

    test('any token of a rotation list is accepted', async () => {
      const app = await start({ token: ['old-token', TOKEN] });
      expect((await post(app, { token: TOKEN })).status).toBe(200);
      expect((await post(app, { token: 'old-token' })).status).toBe(200);
      expect((await post(app, { token: 'other' })).status).toBe(401);
    });

    test.each([
      [
        'missing Sign and RequestTime',
        (_t: number) => buildRequest(AFTER, {}, { sdkAppId: APP }).query,
        'SIGN_MISSING',
      ],
      [
        'missing RequestTime',
        (t: number) => `${buildRequest(AFTER, {}, { sdkAppId: APP }).query}&Sign=${sign(TOKEN, t)}`,
        'REQUEST_TIME_MISSING',
      ],
      [
        'wrong Sign (other token)',
        (t: number) => buildRequest(AFTER, {}, { sdkAppId: APP, token: 'wrong', requestTime: t }).query,
        'SIGN_INVALID',
      ],
      [
        'Sign of another time',
        (t: number) =>
          `${buildRequest(AFTER, {}, { sdkAppId: APP }).query}&RequestTime=${t}&Sign=${sign(TOKEN, t + 1)}`,
        'SIGN_INVALID',
      ],
      [
        'Sign not hex',
        (t: number) => `${buildRequest(AFTER, {}, { sdkAppId: APP }).query}&RequestTime=${t}&Sign=zz`,
        'SIGN_INVALID',
      ],
      [
        'RequestTime not a number',
        (_t: number) =>
          `${buildRequest(AFTER, {}, { sdkAppId: APP }).query}&RequestTime=soon&Sign=${sign(TOKEN, 'soon')}`,
        'REQUEST_TIME_INVALID',
      ],
      [
        'stale RequestTime (-120 s)',
        (t: number) => buildRequest(AFTER, {}, { sdkAppId: APP, token: TOKEN, requestTime: t - 120 }).query,
        'REQUEST_TIME_STALE',
      ],
      [
        'future RequestTime (+120 s)',
        (t: number) => buildRequest(AFTER, {}, { sdkAppId: APP, token: TOKEN, requestTime: t + 120 }).query,
        'REQUEST_TIME_STALE',
      ],
    ])('%s → 401', async (_name, query, code) => {
      const app = await start({ token: TOKEN });
      const handler = jest.fn();
      app.im.onAny(handler);
      const res = await post(app, { query: query(nowSeconds()) });
      expect(res.status).toBe(401);
      expect(res.body.ErrorInfo).toMatch(new RegExp(`^${code}: `));
      expect(res.text).not.toContain(TOKEN);
      expect(app.errors.map((e) => e.code)).toEqual([code]);
      expect(app.errors[0]).toBeInstanceOf(SignatureError);
      expect(handler).not.toHaveBeenCalled();
    });

    test('RequestTime within the window (-50 s, +50 s) is accepted; a custom window applies', async () => {
      const app = await start({ token: TOKEN });
      expect((await post(app, { token: TOKEN, requestTime: nowSeconds() - 50 })).status).toBe(200);
      expect((await post(app, { token: TOKEN, requestTime: nowSeconds() + 50 })).status).toBe(200);
      const strict = await start({ token: TOKEN, requestTimeWindow: 10 });
      expect((await post(strict, { token: TOKEN, requestTime: nowSeconds() - 30 })).status).toBe(401);
    });

    test('the Sign vector of the protocol reference is accepted at its own time', async () => {
      const app = await start({ token: 'xxxxyyyy', now: () => 1669872112 * 1000 });
      const query = `${buildRequest(AFTER, {}, { sdkAppId: APP }).query}&RequestTime=1669872112&Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061`;
      expect((await post(app, { query })).status).toBe(200);
    });

    test('an app without a token accepts unsigned callbacks (and ignores a stray Sign)', async () => {
      const app = await start();
      expect((await post(app)).status).toBe(200);
      expect((await post(app, { token: 'anything' })).status).toBe(200);
    });
  });

  describe('before-callback decisions (wire replies)', () => {
    const body = sample(BEFORE);
    const newBody = [{ MsgType: 'TIMTextElem' as const, MsgContent: { Text: '***' } }];
    test.each([
      ['no handler', undefined, OK],
      ['undefined', () => undefined, OK],
      ['allow()', () => allow(), OK],
      [
        'allow({ MsgBody, CloudCustomData })',
        () => allow({ MsgBody: newBody, CloudCustomData: 'checked' }),
        '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"***"}}],"CloudCustomData":"checked"}',
      ],
      [
        'allow({ CloudCustomData })',
        () => allow({ CloudCustomData: 'x' }),
        '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"CloudCustomData":"x"}',
      ],
      ['reject()', () => reject(), '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}'],
      [
        'reject(10100, info)',
        () => reject(10100, 'spam'),
        '{"ActionStatus":"OK","ErrorInfo":"spam","ErrorCode":10100}',
      ],
      [
        'reject({ code: 10200 })',
        () => reject({ code: 10200 }),
        '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":10200}',
      ],
      ['discard()', () => discard(), '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":2}'],
      [
        'async reject',
        async () => reject(10150, 'later'),
        '{"ActionStatus":"OK","ErrorInfo":"later","ErrorCode":10150}',
      ],
    ])('%s', async (_name, handler, wire) => {
      const app = await start({ token: TOKEN });
      if (handler) app.im.on(BEFORE, handler);
      const res = await post(app, { command: BEFORE, payload: body, token: TOKEN });
      expect(res.status).toBe(200);
      expect(res.text).toBe(wire);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(app.errors).toEqual([]);
    });

    test('the handler sees the typed message and the first decision wins', async () => {
      const app = await start();
      const second = jest.fn();
      app.im.on(BEFORE, (event) => {
        expect(event.kind).toBe('before');
        const first = event.payload.MsgBody[0];
        return first && isMsgElement(first, 'TIMTextElem') && first.MsgContent.Text === 'red packet'
          ? reject(10101, 'no red packets')
          : undefined;
      });
      app.im.on(BEFORE, second);
      const res = await post(app, { command: BEFORE, payload: { ...body, Random: 3998651049 } });
      expect(res.text).toBe('{"ActionStatus":"OK","ErrorInfo":"no red packets","ErrorCode":10101}');
      expect(second).not.toHaveBeenCalled();
    });

    test('a code outside the command range → fallback (allow) and DECISION_INVALID', async () => {
      const app = await start();
      app.im.on(BEFORE, () => reject(120001));
      const res = await post(app, { command: BEFORE, payload: body });
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
      expect(app.errors.map((e) => [e.code, e.status])).toEqual([['DECISION_INVALID', 200]]);
      expect(app.errors[0]?.message).toMatch(/10100-10200/);
    });

    test('a throwing handler → fallback and HANDLER_FAILED; fallback reject is configurable', async () => {
      const app = await start({ fallback: 'reject' });
      app.im.on(BEFORE, () => {
        throw new Error('moderation service down');
      });
      const res = await post(app, { command: BEFORE, payload: body });
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}');
      expect(app.errors.map((e) => [e.code, e.status])).toEqual([['HANDLER_FAILED', 200]]);
    });

    test('a handler that never resolves is answered with the fallback before 2 s (default deadline)', async () => {
      const app = await start();
      app.im.on(BEFORE, () => new Promise(() => {}));
      const started = Date.now();
      const res = await post(app, { command: BEFORE, payload: body });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(200);
      expect(res.text).toBe(OK);
      expect(elapsed).toBeGreaterThanOrEqual(1400);
      expect(elapsed).toBeLessThan(2000);
      expect(app.errors.map((e) => [e.code, e.status])).toEqual([['HANDLER_TIMEOUT', 200]]);
    });

    test('onAny observes before-callbacks without deciding; its failure is reported', async () => {
      const app = await start();
      app.im.onAny(() => {
        throw new Error('observer broke');
      });
      app.im.on(BEFORE, () => discard());
      const res = await post(app, { command: BEFORE, payload: body });
      expect(res.text).toBe('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":2}');
      expect(app.errors.map((e) => [e.code, e.status])).toEqual([['HANDLER_FAILED', 200]]);
    });
  });

  describe('upstream body parsers and Content-Type', () => {
    const upstreams = ['none', 'json', 'text', 'raw'] as const;
    const contentTypes = [
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/octet-stream',
      'application/x-www-form-urlencoded',
    ];
    test.each(upstreams)('upstream %s: every Content-Type (and none) is delivered', async (upstream) => {
      const app = await start({ upstream, token: TOKEN });
      const seen: number[] = [];
      app.im.on(AFTER, (event) => {
        seen.push(event.payload.MsgSeq ?? -1);
      });
      app.im.on(BEFORE, () => reject(10100, 'x'));
      for (const contentType of contentTypes) {
        const res = await post(app, { token: TOKEN, contentType });
        expect([contentType, res.status, res.text]).toEqual([contentType, 200, OK]);
        const decided = await post(app, { command: BEFORE, payload: sample(BEFORE), token: TOKEN, contentType });
        expect([contentType, decided.text]).toEqual([
          contentType,
          '{"ActionStatus":"OK","ErrorInfo":"x","ErrorCode":10100}',
        ]);
      }
      expect(seen).toEqual(contentTypes.map(() => 123));
      // Whatever parsed the body upstream, protections still apply.
      const polluted = await post(app, {
        token: TOKEN,
        contentType: 'application/json',
        payload: '{"__proto__":{"x":1},"GroupId":"g"}',
      });
      expect(polluted.status).toBe(400);
      expect(app.errors.map((e) => e.code)).toEqual(['BODY_FORBIDDEN_KEY']);
    });
  });

  describe('requests that are not callbacks', () => {
    test('reach the app’s other routes', async () => {
      const app = await start({ token: TOKEN });
      if (app.otherUrl === undefined) return;
      const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
      expect((await request(app.otherUrl).get('')).text).toBe('other');
      expect((await request(app.otherUrl).post('').send('hello')).text).toBe('other');
      expect((await request(app.otherUrl).post(`?${built.query}`).send(Buffer.from(built.body))).text).toBe('other');
      expect(app.errors).toEqual([]);
    });

    test('a GET to the callback URL is not treated as a callback', async () => {
      const app = await start();
      const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
      const handler = jest.fn();
      app.im.onAny(handler);
      const res = await request(app.url).get(`?${built.query}`);
      expect([404, 405]).toContain(res.status);
      expect(handler).not.toHaveBeenCalled();
    });
  });
});
