/** The receiver without any HTTP: logging, reporting, and the Web-standard handler's own rows. */
import { PassThrough, Readable } from 'node:stream';
import { createReceiver, type ImCallbackError, type Logger } from '@im-callbacks/core';
import { computeSign } from '../src/pipeline/sign.js';
import { AFTER, APP, request as buildRequestOf, groupMessage } from './fixtures.js';

function recordingLogger() {
  const lines: [keyof Logger, string][] = [];
  const logger: Logger = {
    debug: (m) => lines.push(['debug', m]),
    info: (m) => lines.push(['info', m]),
    warn: (m) => lines.push(['warn', m]),
    error: (m) => lines.push(['error', m]),
  };
  return { lines, logger };
}

describe('logging', () => {
  test('no token: works, and warns exactly once', async () => {
    const { lines, logger } = recordingLogger();
    const receiver = createReceiver({ sdkAppId: APP, logger });
    const built = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP });
    await receiver.handle({ query: built.query, body: built.body });
    await receiver.handle({ query: built.query, body: built.body });
    expect(lines.filter(([level]) => level === 'warn')).toEqual([
      ['warn', expect.stringMatching(/no callback token configured/)],
    ]);
  });

  test('without onError handlers refusals are logged as warnings, handler failures as errors; never a token, Sign or stack', async () => {
    const { lines, logger } = recordingLogger();
    const token = 'super-secret-token';
    const receiver = createReceiver({ sdkAppId: APP, token, logger });
    receiver.on(AFTER, () => {
      throw new Error('boom');
    });
    const wrong = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP, token: 'other' });
    const right = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP, token });
    expect((await receiver.handle({ query: wrong.query, body: wrong.body })).status).toBe(401);
    expect((await receiver.handle({ query: right.query, body: right.body })).status).toBe(500);
    expect(lines).toEqual([
      [
        'warn',
        'SIGN_INVALID Group.CallbackAfterSendMsg: Sign does not match: check that the token option is the callback token set in the IM console',
      ],
      ['error', 'HANDLER_FAILED Group.CallbackAfterSendMsg: handler for Group.CallbackAfterSendMsg failed: boom'],
    ]);
    const sign = new URLSearchParams(right.query).get('Sign') as string;
    for (const [, line] of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain(sign);
      expect(line).not.toMatch(/\n\s+at /);
    }
  });

  test('with onError handlers, errors go there (debug line only); a failing onError handler is logged, not thrown', async () => {
    const { lines, logger } = recordingLogger();
    const receiver = createReceiver({ sdkAppId: APP, logger });
    const seen: ImCallbackError[] = [];
    receiver.onError((error) => {
      seen.push(error);
    });
    receiver.onError(() => {
      throw new Error('reporter down');
    });
    receiver.onError(async () => {
      throw new Error('async reporter down');
    });
    const response = await receiver.handle({ query: 'SdkAppid=1', body: '{}' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(response.status).toBe(403);
    expect(seen.map((e) => e.code)).toEqual(['SDKAPPID_MISMATCH']);
    expect(lines.filter(([level]) => level !== 'warn')).toEqual([
      ['debug', 'SDKAPPID_MISMATCH -: SdkAppid is not this app'],
      ['error', 'onError handler failed: reporter down'],
      ['error', 'onError handler failed: async reporter down'],
    ]);
  });
});

describe('registration', () => {
  const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
  test('on() refuses a command the catalogue does not know, and non-functions', () => {
    expect(() => receiver.on('Group.CallbackNope' as never, (() => undefined) as never)).toThrow(
      /unknown command "Group.CallbackNope"; use onAny/,
    );
    expect(() => receiver.on(AFTER, 'x' as never)).toThrow(/handler must be a function/);
    expect(() => receiver.onAny(undefined as never)).toThrow(TypeError);
    expect(() => receiver.onError(5 as never)).toThrow(TypeError);
  });
  test('registration methods chain', () => {
    expect(
      receiver
        .on(AFTER, () => undefined)
        .onAny(() => undefined)
        .onError(() => undefined),
    ).toBe(receiver);
  });
});

describe('handle()', () => {
  test('the body source is only produced once the query is verified', async () => {
    const receiver = createReceiver({ sdkAppId: APP, token: 't', logger: recordingLogger().logger });
    const body = jest.fn(() => '{}');
    await receiver.handle({ query: 'SdkAppid=1400000000&CallbackCommand=X', body });
    expect(body).not.toHaveBeenCalled();
  });
  test('a parsed object body is validated like text', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
    const codes: string[] = [];
    receiver.onError((error) => {
      codes.push(error.code);
    });
    const built = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP });
    expect((await receiver.handle({ query: built.query, body: groupMessage() })).status).toBe(200);
    expect(codes).toEqual([]);
    expect((await receiver.handle({ query: built.query, body: { ...groupMessage(), MsgSeq: -1 } })).status).toBe(200);
    expect(codes).toEqual(['PAYLOAD_INVALID']);
  });
  test('a parsed object body with an escaped forbidden key is refused like text', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
    const built = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP });
    const parsed = JSON.parse('{"GroupId":"g","x":[{"\\u005f_proto__":{"polluted":1}}]}');
    const response = await receiver.handle({ query: built.query, body: parsed });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/BODY_FORBIDDEN_KEY/);
  });
  test('an unexpected internal failure is a 500 INTERNAL_ERROR, reported', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
    const errors: ImCallbackError[] = [];
    receiver.onError((error) => {
      errors.push(error);
    });
    const built = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP });
    const response = await receiver.handle({
      query: built.query,
      body: () => {
        throw new RangeError('adapter bug');
      },
    });
    expect(response).toMatchObject({
      status: 500,
      body: '{"ActionStatus":"FAIL","ErrorInfo":"INTERNAL_ERROR: internal failure","ErrorCode":1}',
    });
    expect(errors.map((e) => e.code)).toEqual(['INTERNAL_ERROR']);
  });
});

describe('handle()', () => {
  test('answers an in-memory body, a stream body and a refusal alike: a promise that never rejects', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
    let seen = 0;
    receiver.on(AFTER, () => {
      seen++;
    });
    const built = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP });
    await expect(receiver.handle({ query: built.query, body: Buffer.from(built.body) })).resolves.toMatchObject({
      status: 200,
    });
    const streamed = receiver.handle({ query: built.query, body: Readable.from([Buffer.from(built.body)]) });
    await expect(streamed).resolves.toMatchObject({ status: 200 });
    expect(seen).toBe(2);
    await expect(receiver.handle({ query: 'SdkAppid=1&CallbackCommand=X', body: '{}' })).resolves.toMatchObject({
      status: 403,
    });
  });
  test('the body is asked for only once the query is verified', async () => {
    const receiver = createReceiver({ sdkAppId: APP, token: 'tok', logger: recordingLogger().logger });
    const body = jest.fn(() => '{}');
    const built = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP, token: 'other' });
    await expect(receiver.handle({ query: built.query, body })).resolves.toMatchObject({ status: 401 });
    expect(body).not.toHaveBeenCalled();
  });
  test("a before-callback's deadline counts from the request's arrival, not from when its body was read", async () => {
    let clock = 1_000_000;
    const receiver = createReceiver({
      sdkAppId: APP,
      deadline: 300,
      now: () => clock,
      logger: recordingLogger().logger,
    });
    const codes: string[] = [];
    receiver.onError((error) => {
      codes.push(error.code);
    });
    receiver.on('Group.CallbackBeforeSendMsg', () => new Promise<never>(() => {}));
    const body = { ...groupMessage(), CallbackCommand: 'Group.CallbackBeforeSendMsg' };
    const built = buildRequestOf('Group.CallbackBeforeSendMsg', body, { sdkAppId: APP });
    const stream = new PassThrough();
    const pending = receiver.handle({ query: built.query, body: stream });
    clock += 250; // the body takes 250 ms to arrive
    stream.end(built.body);
    const started = performance.now();
    const answer = await pending;
    expect(answer.status).toBe(200);
    // 50 ms were left of the 300 (timers may fire a little early or late).
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(30);
    expect(waited).toBeLessThan(200);
    expect(codes).toEqual(['HANDLER_TIMEOUT']);
  });
});

describe('fetch()', () => {
  const receiver = createReceiver({ sdkAppId: APP, token: 'tok', logger: recordingLogger().logger });
  test('POST → the pipeline', async () => {
    const built = buildRequestOf(AFTER, groupMessage(), { sdkAppId: APP, token: 'tok' });
    const response = await receiver.fetch(
      new Request(`https://example.com/im?${built.query}`, { method: 'POST', body: built.body }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}');
  });
  test('another method → 405 with Allow: POST', async () => {
    const response = await receiver.fetch(new Request('https://example.com/im?SdkAppid=1400000000', { method: 'GET' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({
      ActionStatus: 'FAIL',
      ErrorInfo: 'METHOD_NOT_ALLOWED: method GET not allowed, callbacks are POST',
      ErrorCode: 1,
    });
  });
  test('the configured URL may carry its own query and a fragment', async () => {
    const time = Math.floor(Date.now() / 1000);
    const url = `https://example.com/im?tenant=a&SdkAppid=1400000000&CallbackCommand=${AFTER}&RequestTime=${time}&Sign=${computeSign('tok', time)}#x`;
    const response = await receiver.fetch(new Request(url, { method: 'POST', body: JSON.stringify(groupMessage()) }));
    expect(response.status).toBe(200);
  });
});
