/**
 * The IM console's URL check in the receiver (no HTTP): every plausible form of it answered 200 with
 * the OK ack and nothing dispatched, once authenticated; forged, stale and foreign ones refused as
 * before; a request that carries an event judged exactly as before; the once-a-minute info line; the
 * `check` kind on the tracing channel.
 */
import * as diagnostics from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import {
  CALLBACK_CHANNEL,
  type CallbackTraceContext,
  createReceiver,
  type ImCallbackError,
  memoryDedupeStore,
} from '@im-callbacks/core';
import { CHECK_BODY_MAX, isBlankBody, isEmptyBody } from '../src/pipeline/check.js';
import { computeSign } from '../src/pipeline/sign.js';
import { AFTER, APP, BEFORE, groupMessage, recordingLogger } from './fixtures.js';

const TOKEN = 'check-token';
const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const NOW = 1_700_000_000;

/** A query as the console might send it: the Sign (with `token`) and the parameters asked for. */
function query(parts: { sdkAppId?: string; command?: string; token?: string; time?: number } = {}): string {
  const params = new URLSearchParams();
  if (parts.sdkAppId !== undefined) params.set('SdkAppid', parts.sdkAppId);
  if (parts.command !== undefined) params.set('CallbackCommand', parts.command);
  if (parts.token !== undefined) {
    const time = parts.time ?? NOW;
    params.set('RequestTime', String(time));
    params.set('Sign', computeSign(parts.token, time));
  }
  return params.toString();
}

function receiverWith(token: string | undefined, extra: Record<string, unknown> = {}) {
  const { lines, logger } = recordingLogger();
  let now = NOW * 1000;
  const receiver = createReceiver({ sdkAppId: APP, token, logger, now: () => now, ...extra });
  const dispatched: string[] = [];
  const errors: ImCallbackError[] = [];
  receiver.on(AFTER, () => void dispatched.push('on'));
  receiver.on(BEFORE, () => void dispatched.push('before'));
  receiver.onAny((event) => void dispatched.push(`any ${event.command}`));
  receiver.onError((error) => void errors.push(error));
  return { receiver, lines, dispatched, errors, advance: (ms: number) => (now += ms) };
}

const QUERIES: [string, { sdkAppId?: string; command?: string }][] = [
  ['SdkAppid and CallbackCommand', { sdkAppId: String(APP), command: AFTER }],
  ['SdkAppid, no CallbackCommand', { sdkAppId: String(APP) }],
  ['CallbackCommand, no SdkAppid', { command: AFTER }],
  ['neither', {}],
];
const BODIES: [string, unknown][] = [
  ['no body at all', undefined],
  ['an empty body', ''],
  ['whitespace', ' \r\n'],
  ['{}', '{}'],
  ['{ } with a BOM', '\uFEFF{ }\n'],
  ['an empty byte array', new Uint8Array()],
  ['an empty stream', () => Readable.from([])],
  ['a parsed {} (an upstream parser)', () => ({})],
];

describe.each([
  ['a token configured, a valid Sign', TOKEN],
  ['no token configured', undefined],
])('%s', (_name, token) => {
  describe.each(QUERIES)('query: %s', (_q, parts) => {
    test.each(BODIES)('body: %s → 200 OK, nothing dispatched, nothing reported', async (_b, body) => {
      const { receiver, dispatched, errors } = receiverWith(token);
      const source = typeof body === 'function' ? (body as () => unknown)() : body;
      const response = await receiver.handle({ query: query({ ...parts, token }), body: source as never });
      expect(response.status).toBe(200);
      expect(response.body).toBe(OK);
      expect(dispatched).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
});

describe('what is still refused', () => {
  test.each([
    ['a forged Sign', { sdkAppId: String(APP), command: AFTER, token: 'forged' }, 401, 'SIGN_INVALID'],
    ['a forged Sign, no SdkAppid', { token: 'forged' }, 401, 'SIGN_INVALID'],
    ['a stale RequestTime', { token: TOKEN, time: NOW - 61 }, 401, 'REQUEST_TIME_STALE'],
    ['no Sign', { sdkAppId: String(APP) }, 401, 'SIGN_MISSING'],
    ['a wrong SdkAppid', { sdkAppId: '1400000001', token: TOKEN }, 403, 'SDKAPPID_MISMATCH'],
  ])('%s → %i %s', async (_name, parts, status, code) => {
    const { receiver, dispatched, errors } = receiverWith(TOKEN);
    const body = jest.fn(() => '');
    const response = await receiver.handle({ query: query(parts), body });
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body).ErrorInfo).toMatch(new RegExp(`^${code}: `));
    expect(errors.map((error) => error.code)).toEqual([code]);
    expect(dispatched).toEqual([]);
    // Refused before the body was asked for.
    expect(body).not.toHaveBeenCalled();
  });

  test.each([
    ['no SdkAppid', { command: AFTER }, 403, 'SDKAPPID_MISSING'],
    ['no CallbackCommand', { sdkAppId: String(APP) }, 400, 'COMMAND_MISSING'],
  ])('a body with an event and %s → %i %s, as before', async (_name, parts, status, code) => {
    const { receiver, dispatched, errors } = receiverWith(TOKEN);
    const text = JSON.stringify(groupMessage());
    // Declared longer than a check can be: refused before the body is read.
    const unread = jest.fn(() => text);
    const early = await receiver.handle({
      query: query({ ...parts, token: TOKEN }),
      body: unread,
      contentLength: text.length,
    });
    expect([early.status, JSON.parse(early.body).ErrorInfo]).toEqual([status, expect.stringMatching(`^${code}`)]);
    expect(unread).not.toHaveBeenCalled();
    // Undeclared (a stream): read, then refused.
    const streamed = await receiver.handle({ query: query({ ...parts, token: TOKEN }), body: Readable.from([text]) });
    expect(streamed.status).toBe(status);
    // A short body that is not empty is an event too.
    const short = await receiver.handle({
      query: query({ ...parts, token: TOKEN }),
      body: '{"a":1}',
      contentLength: 7,
    });
    expect(short.status).toBe(status);
    expect(errors.map((error) => error.code)).toEqual([code, code, code]);
    expect(dispatched).toEqual([]);
  });

  test('a complete query with a body that is not empty is judged as before: bad JSON 400, null a schema failure', async () => {
    const { receiver, errors } = receiverWith(undefined);
    expect((await receiver.handle({ query: query({ sdkAppId: String(APP), command: AFTER }), body: '{' })).status).toBe(
      400,
    );
    expect(
      (await receiver.handle({ query: query({ sdkAppId: String(APP), command: AFTER }), body: 'null' })).status,
    ).toBe(200);
    expect(errors.map((error) => error.code)).toEqual(['BODY_INVALID_JSON', 'PAYLOAD_INVALID']);
  });

  test('an event with its command is dispatched exactly as before', async () => {
    const { receiver, dispatched } = receiverWith(TOKEN);
    const response = await receiver.handle({
      query: query({ sdkAppId: String(APP), command: AFTER, token: TOKEN }),
      body: JSON.stringify(groupMessage()),
    });
    expect(response.status).toBe(200);
    expect(dispatched).toEqual(['on', `any ${AFTER}`]);
  });
});

describe('around the check', () => {
  test('said at info level, at most once a minute', async () => {
    const { receiver, lines, advance } = receiverWith(TOKEN);
    const check = () => receiver.handle({ query: query({ token: TOKEN }), body: '' });
    await check();
    await check();
    advance(59_000);
    await check();
    const info = () => lines.filter(([level]) => level === 'info');
    expect(info()).toEqual([['info', expect.stringMatching(/URL check .* answered OK; nothing was dispatched/)]]);
    advance(1_000);
    await check();
    expect(info()).toHaveLength(2);
  });

  test('a before-callback command with an empty body gets the OK ack (allow), no handler', async () => {
    const { receiver, dispatched } = receiverWith(TOKEN);
    const response = await receiver.handle({
      query: query({ sdkAppId: String(APP), command: BEFORE, token: TOKEN }),
      body: '',
    });
    expect([response.status, response.body]).toEqual([200, OK]);
    expect(dispatched).toEqual([]);
  });

  test('never reaches the handoff or the de-duplication store', async () => {
    const enqueue = jest.fn(async () => undefined);
    const store = memoryDedupeStore();
    const claim = jest.spyOn(store, 'claim');
    const { receiver } = receiverWith(TOKEN, { handoff: { enqueue }, dedupe: { ttl: 60_000, store } });
    const response = await receiver.handle({
      query: query({ sdkAppId: String(APP), command: AFTER, token: TOKEN }),
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(enqueue).not.toHaveBeenCalled();
    expect(claim).not.toHaveBeenCalled();
  });

  test('the fetch handler: a POST without a body is the check; another method is still 405', async () => {
    const { receiver } = receiverWith(TOKEN);
    const url = `http://localhost/im?${query({ token: TOKEN })}`;
    const response = await receiver.fetch(new Request(url, { method: 'POST' }));
    expect([response.status, await response.text()]).toEqual([200, OK]);
    expect((await receiver.fetch(new Request(url, { method: 'GET' }))).status).toBe(405);
  });

  test("traced with kind 'check' and the OK answer", async () => {
    const channel = diagnostics.tracingChannel<unknown, CallbackTraceContext>(CALLBACK_CHANNEL);
    const contexts: CallbackTraceContext[] = [];
    const handlers = {
      start: () => {},
      end: (context: CallbackTraceContext) => void contexts.push({ ...context }),
      asyncStart: () => {},
      asyncEnd: (context: CallbackTraceContext) => void contexts.push({ ...context }),
      error: () => {},
    };
    channel.subscribe(handlers);
    try {
      const { receiver } = receiverWith(TOKEN);
      await receiver.handle({ query: `${query({ sdkAppId: String(APP), token: TOKEN })}&RequestID=r1`, body: '' });
    } finally {
      channel.unsubscribe(handlers);
    }
    expect(contexts.at(-1)).toMatchObject({ kind: 'check', status: 200, sdkAppId: APP, requestId: 'r1' });
    expect(contexts.at(-1)?.code).toBeUndefined();
  });
});

describe('isBlankBody and isEmptyBody', () => {
  test.each([
    ['', true],
    [' \t\r\n', true],
    ['\uFEFF', true],
    ['{}', false],
    ['x', false],
    [' '.repeat(CHECK_BODY_MAX + 1), false],
    ['\u3000'.repeat(30), false],
  ])('isBlankBody(%j) → %s', (text, expected) => expect(isBlankBody(text)).toBe(expected));
  test.each([
    ['{}', { text: '{}' }, {}, true],
    ['{} padded past the bound', { text: `{}${' '.repeat(CHECK_BODY_MAX)}` }, {}, false],
    ['text null', { text: 'null' }, null, false],
    ['upstream {}', { parsed: {} }, {}, true],
    ['upstream undefined', { parsed: undefined }, undefined, true],
    ['upstream null', { parsed: null }, null, true],
    ['upstream []', { parsed: [] }, [], false],
    ['upstream { a: 1 }', { parsed: { a: 1 } }, { a: 1 }, false],
    ['a non-enumerable property', { parsed: {} }, Object.defineProperty({}, 'hidden', { value: 1 }), false],
    ['upstream ""', { parsed: '' }, '', false],
  ])('isEmptyBody: %s → %s', (_name, body, value, expected) =>
    expect(isEmptyBody(body as never, value)).toBe(expected),
  );
});

describe('a query without SdkAppid or command, and a body that is no check', () => {
  test.each([
    ['bad JSON', '{'],
    ['a forbidden key', '{"__proto__":{"x":1}}'],
    ['a JSON null', 'null'],
  ])('%s → the query refusal (403 SDKAPPID_MISSING), as before', async (_name, text) => {
    const { receiver, errors } = receiverWith(undefined);
    const response = await receiver.handle({ query: query({ command: AFTER }), body: text });
    expect(response.status).toBe(403);
    expect(errors.map((error) => error.code)).toEqual(['SDKAPPID_MISSING']);
  });
});
