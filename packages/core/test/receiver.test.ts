/** The receiver without any HTTP: logging, reporting, and the Web-standard handler's own rows. */
import { PassThrough, Readable } from 'node:stream';
import { createReceiver, type ImCallbackError, memoryDedupeStore, silentLogger } from '@im-callbacks/core';
import { computeSign } from '../src/pipeline/sign.js';
import { AFTER, APP, request as buildRequestOf, groupMessage, recordingLogger } from './fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

// Moved from test/conformance/scale-out.test.ts ('handoff and dedupe without HTTP').
describe('the handoff and dedupe options', () => {
  test('the options are checked up front', () => {
    expect(() => createReceiver({ sdkAppId: APP, handoff: {} as never })).toThrow(
      /option handoff must be an object with an enqueue\(event\) method/,
    );
    expect(() => createReceiver({ sdkAppId: APP, dedupe: { ttl: 1000, tll: 5 } as never })).toThrow(
      /unknown option "dedupe.tll"; the options are dedupe.ttl, dedupe.store/,
    );
    expect(() => createReceiver({ sdkAppId: APP, dedupe: {} as never })).toThrow(/option dedupe.ttl is required/);
    expect(() => createReceiver({ sdkAppId: APP, dedupe: { ttl: -1 } })).toThrow(
      /option dedupe.ttl must be a positive number/,
    );
    expect(() => createReceiver({ sdkAppId: APP, dedupe: { ttl: 1, store: { claim() {} } as never } })).toThrow(
      /dedupe.store must have claim, complete and release/,
    );
    expect(() => memoryDedupeStore({ max: 0 })).toThrow(/max must be a positive integer/);
  });

  test('dispatch({ wait: true }) waits for every handler past the deadline and answers 500 when one fails (queue workers)', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: silentLogger, deadline: 50 });
    receiver.on(AFTER, async () => {
      await sleep(120);
      throw new Error('late failure');
    });
    expect((await receiver.dispatch(AFTER, groupMessage())).status).toBe(200);
    expect((await receiver.dispatch(AFTER, groupMessage(), { wait: true })).status).toBe(500);
  });
});
