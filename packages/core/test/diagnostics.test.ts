/**
 * The `im-callbacks:callback` tracing channel, as a subscriber sees it: which events each kind of
 * callback publishes, in which order, and what the one context object holds at each of them.
 * In-process (`handle`, `admit`, `refuse`, `dispatch`, `fetch`) and over real HTTP (a `node:http`
 * server with the core's Node helpers), where a streamed body makes the answer asynchronous.
 */
import * as diagnostics from 'node:diagnostics_channel';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  allow,
  CALLBACK_CHANNEL,
  type CallbackTraceContext,
  createReceiver,
  discard,
  ImCallbackError,
  reject,
  silentLogger,
} from '@im-callbacks/core';
import { nodeBodySource, queryOf, writeNodeResponse } from '@im-callbacks/core/adapter';
import { AFTER, APP, groupMessage, request } from './fixtures.js';

const BEFORE = 'Group.CallbackBeforeSendMsg';
const TOKEN = 'diagnostics-token';
const channel = diagnostics.tracingChannel<unknown, CallbackTraceContext>(CALLBACK_CHANNEL);
type EventName = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

/** Subscribes to every event; each record keeps the context object and a copy of it at that moment. */
function subscribe() {
  const events: { name: EventName; context: CallbackTraceContext; seen: CallbackTraceContext }[] = [];
  const on = (name: EventName) => (context: CallbackTraceContext) => {
    events.push({ name, context, seen: { ...context } });
  };
  const handlers = {
    start: on('start'),
    end: on('end'),
    asyncStart: on('asyncStart'),
    asyncEnd: on('asyncEnd'),
    error: on('error'),
  };
  channel.subscribe(handlers);
  return {
    events,
    names: () => events.map((event) => event.name),
    /** The context of the (only) trace, after checking every event carried that same object. */
    context(): CallbackTraceContext {
      const first = events[0]?.context;
      expect(first).toBeDefined();
      for (const event of events) expect(event.context).toBe(first);
      return first as CallbackTraceContext;
    },
    stop: () => channel.unsubscribe(handlers),
  };
}

let subscription: ReturnType<typeof subscribe> | undefined;
afterEach(() => {
  subscription?.stop();
  subscription = undefined;
});
function listen() {
  subscription = subscribe();
  return subscription;
}

function receiver(options: { deadline?: number } = {}) {
  return createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger, ...options });
}

function signed(command: string, payload: unknown, requestId?: string) {
  const built = request(command, payload, { token: TOKEN });
  return { query: requestId === undefined ? built.query : `${built.query}&RequestID=${requestId}`, body: built.body };
}

function beforePayload(): Record<string, unknown> {
  return { ...groupMessage(), CallbackCommand: BEFORE };
}

describe('without a subscriber', () => {
  test('nothing is published and nothing is attached to the event', async () => {
    expect(channel.start.hasSubscribers).toBe(false);
    const im = receiver();
    const seen: object[] = [];
    im.on(AFTER, (event) => {
      seen.push(event);
    });
    const response = await im.handle(signed(AFTER, groupMessage()));
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(Object.getOwnPropertySymbols(seen[0])).toEqual([]);
  });
});

describe('accepted callbacks', () => {
  test('an after-callback answered synchronously: start, end; one context with every field', async () => {
    const trace = listen();
    const im = receiver();
    im.on(AFTER, () => undefined);
    const response = await im.handle(signed(AFTER, groupMessage(), 'req-1'));
    expect(response.status).toBe(200);
    expect(trace.names()).toEqual(['start', 'end']);
    expect(trace.events[0]?.seen).toEqual({ receivedAt: expect.any(Number) });
    const context = trace.context();
    expect(context).toMatchObject({
      command: AFTER,
      kind: 'after',
      sdkAppId: APP,
      requestId: 'req-1',
      status: 200,
      result: response,
    });
    expect(context.decision).toBeUndefined();
    expect(context.code).toBeUndefined();
    expect(context.error).toBeUndefined();
    expect(context.handlerDuration).toBeGreaterThanOrEqual(0);
  });

  test.each([
    ['reject()', 'reject', () => reject(10100, 'no')],
    ['discard()', 'discard', () => discard()],
    ['allow()', 'allow', () => allow()],
    ['nothing', 'allow', () => undefined],
    ['allow({ CloudCustomData })', 'modify', () => allow({ CloudCustomData: 'x' })],
  ])('a before-callback returning %s synchronously: start, end, decision %s', async (_name, decision, decide) => {
    const trace = listen();
    const im = receiver();
    im.on(BEFORE, decide as () => undefined);
    const response = await im.handle(signed(BEFORE, beforePayload()));
    expect(response.status).toBe(200);
    expect(trace.names()).toEqual(['start', 'end']);
    expect(trace.context()).toMatchObject({ command: BEFORE, kind: 'before', status: 200, decision });
    expect(trace.context().code).toBeUndefined();
  });

  test('an asynchronous decision: start, end (before the answer), asyncStart, asyncEnd', async () => {
    const trace = listen();
    const im = receiver();
    im.on(BEFORE, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return reject();
    });
    const response = await im.handle(signed(BEFORE, beforePayload()));
    expect(response.status).toBe(200);
    expect(trace.names()).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    // At `end` the handler was still deciding: no status yet.
    expect(trace.events[1]?.seen.status).toBeUndefined();
    expect(trace.events[1]?.seen.kind).toBe('before');
    expect(trace.context()).toMatchObject({ status: 200, decision: 'reject' });
    expect(trace.context().handlerDuration).toBeGreaterThanOrEqual(15);
  });

  test('an unknown command: kind unknown, acknowledged', async () => {
    const trace = listen();
    const response = await receiver().handle(
      signed('Future.CallbackSomething', { CallbackCommand: 'Future.CallbackSomething' }),
    );
    expect(response.status).toBe(200);
    expect(trace.names()).toEqual(['start', 'end']);
    expect(trace.context()).toMatchObject({ command: 'Future.CallbackSomething', kind: 'unknown', status: 200 });
  });

  test('dispatch: the command is known at start', async () => {
    const trace = listen();
    const im = receiver();
    im.on(BEFORE, () => reject());
    const response = await im.dispatch(BEFORE, beforePayload(), { requestId: 'from-queue' });
    expect(response.status).toBe(200);
    expect(trace.events[0]?.seen).toEqual({ command: BEFORE, receivedAt: expect.any(Number) });
    expect(trace.names()).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(trace.context()).toMatchObject({
      kind: 'before',
      decision: 'reject',
      requestId: 'from-queue',
      sdkAppId: APP,
    });
  });
});

describe('fallbacks and failures', () => {
  test('a before-callback handler missing the deadline: error HANDLER_TIMEOUT, decision fallback', async () => {
    const trace = listen();
    const im = receiver({ deadline: 50 });
    im.on(BEFORE, () => new Promise(() => undefined));
    const response = await im.handle(signed(BEFORE, beforePayload()));
    expect(response.status).toBe(200);
    expect(trace.names()).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    const context = trace.context();
    expect(context).toMatchObject({ kind: 'before', status: 200, decision: 'fallback', code: 'HANDLER_TIMEOUT' });
    expect(context.error).toBeInstanceOf(ImCallbackError);
    expect(context.handlerDuration).toBeGreaterThanOrEqual(45);
  });

  test('a before-callback handler throwing: error HANDLER_FAILED, decision fallback, answered synchronously', async () => {
    const trace = listen();
    const im = receiver();
    im.on(BEFORE, () => {
      throw new Error('boom');
    });
    await im.handle(signed(BEFORE, beforePayload()));
    expect(trace.names()).toEqual(['start', 'error', 'end']);
    expect(trace.context()).toMatchObject({ status: 200, decision: 'fallback', code: 'HANDLER_FAILED' });
  });

  test('a before-callback handler returning a decision the command does not take: DECISION_INVALID, fallback', async () => {
    const trace = listen();
    const im = receiver();
    im.on(BEFORE, () => ({ decision: 'refuse-some', accounts: ['x'] }) as never);
    await im.handle(signed(BEFORE, beforePayload()));
    expect(trace.context()).toMatchObject({ status: 200, decision: 'fallback', code: 'DECISION_INVALID' });
  });

  test('an after-callback handler throwing: 500, error HANDLER_FAILED', async () => {
    const trace = listen();
    const im = receiver();
    im.on(AFTER, async () => {
      throw new Error('boom');
    });
    const response = await im.handle(signed(AFTER, groupMessage()));
    expect(response.status).toBe(500);
    expect(trace.names()).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(trace.context()).toMatchObject({ kind: 'after', status: 500, code: 'HANDLER_FAILED' });
    expect(trace.events.find((event) => event.name === 'error')?.context.error?.code).toBe('HANDLER_FAILED');
  });

  test('a handoff that fails: 503, error HANDOFF_FAILED', async () => {
    const trace = listen();
    const im = createReceiver({
      sdkAppId: APP,
      token: TOKEN,
      logger: silentLogger,
      handoff: { enqueue: async () => Promise.reject(new Error('queue down')) },
    });
    const response = await im.handle(signed(AFTER, groupMessage()));
    expect(response.status).toBe(503);
    expect(trace.context()).toMatchObject({ kind: 'after', status: 503, code: 'HANDOFF_FAILED' });
  });

  test('a dedupe store that fails on an after-callback: 503, error DEDUPE_FAILED', async () => {
    const trace = listen();
    const failing = {
      claim: async () => Promise.reject(new Error('store down')),
      complete: async () => undefined,
      release: async () => undefined,
    };
    const im = createReceiver({
      sdkAppId: APP,
      token: TOKEN,
      logger: silentLogger,
      dedupe: { ttl: 60_000, store: failing },
    });
    const response = await im.handle(signed(AFTER, groupMessage()));
    expect(response.status).toBe(503);
    expect(trace.context()).toMatchObject({ kind: 'after', status: 503, code: 'DEDUPE_FAILED' });
  });

  test('an onAny observer throwing on a before-callback: the decision stands, the code says HANDLER_FAILED', async () => {
    const trace = listen();
    const im = receiver();
    im.onAny(() => {
      throw new Error('observer');
    });
    im.on(BEFORE, () => discard());
    await im.handle(signed(BEFORE, beforePayload()));
    expect(trace.names()).toEqual(['start', 'error', 'end']);
    expect(trace.context()).toMatchObject({ status: 200, decision: 'discard', code: 'HANDLER_FAILED' });
  });

  test('a late after-callback failure (past the deadline) does not change the published trace', async () => {
    const trace = listen();
    const im = receiver({ deadline: 30 });
    let fail: (error: Error) => void = () => undefined;
    im.on(AFTER, () => new Promise((_resolve, rejectPromise) => (fail = rejectPromise)));
    const response = await im.handle(signed(AFTER, groupMessage()));
    expect(response.status).toBe(200);
    fail(new Error('late'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(trace.names()).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(trace.context().code).toBeUndefined();
  });

  test('a before-callback payload failing its schema: PAYLOAD_INVALID, decision fallback', async () => {
    const trace = listen();
    const im = receiver();
    im.on(BEFORE, () => reject());
    const response = await im.handle(signed(BEFORE, { CallbackCommand: BEFORE, GroupId: 42 }));
    expect(response.status).toBe(200);
    expect(trace.names()).toEqual(['start', 'error', 'end']);
    expect(trace.context()).toMatchObject({
      kind: 'before',
      status: 200,
      decision: 'fallback',
      code: 'PAYLOAD_INVALID',
    });
  });
});

describe('what a recorder reads: arrival, query, body, answer', () => {
  test('the query with its Sign redacted, the body text as received, the answer, the arrival time', async () => {
    const trace = listen();
    const arrival = Date.now() + 7; // the receiver's clock, whatever it says
    const im = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger, now: () => arrival });
    im.on(AFTER, () => undefined);
    const built = signed(AFTER, groupMessage(), 'req-q');
    const sign = new URLSearchParams(built.query).get('Sign');
    expect(sign).toMatch(/^[0-9a-f]{64}$/);
    // A Sign spelt in another case (accepted: names are case-insensitive) is redacted too.
    const response = await im.handle({ query: built.query.replace('Sign=', 'sIgN='), body: built.body });
    const context = trace.context();
    expect(context.status).toBe(200);
    expect(context.receivedAt).toBe(arrival);
    expect(context.body).toBe(built.body);
    expect(context.result).toBe(response);
    expect(context.query).toMatchObject({ CallbackCommand: AFTER, RequestID: 'req-q', sIgN: '[redacted]' });
    expect(JSON.stringify(context.query)).not.toContain(sign as string);
    // Read twice: the same object (computed once).
    expect(context.query).toBe(context.query);
  });

  test('a refused request keeps its query (Sign redacted) and, read before the refusal, its body', async () => {
    const trace = listen();
    const built = request(AFTER, groupMessage(), { token: 'other' });
    await receiver().handle(built);
    expect(trace.context().query?.Sign).toBe('[redacted]');
    expect(trace.context().body).toBeUndefined(); // 401: the body was never read
    const bad = listen();
    await receiver().handle({ ...signed(AFTER, groupMessage()), body: '{"GroupId":' });
    expect(bad.context().body).toBe('{"GroupId":');
  });

  test('a body a parser already read: the JSON of the parsed payload; dispatch: no query, the payload as JSON', async () => {
    const trace = listen();
    const built = signed(AFTER, groupMessage());
    await receiver().handle({ query: built.query, body: JSON.parse(built.body) });
    expect(JSON.parse(trace.context().body as string)).toEqual(JSON.parse(built.body));
    const dispatched = listen();
    await receiver().dispatch(AFTER, groupMessage());
    expect(dispatched.context().query).toBeUndefined();
    expect(JSON.parse(dispatched.context().body as string)).toEqual(groupMessage());
  });
});

describe('refusals', () => {
  test.each([
    ['a wrong Sign', 401, 'SIGN_INVALID', () => request(AFTER, groupMessage(), { token: 'other' })],
    [
      'another app',
      403,
      'SDKAPPID_MISMATCH',
      () => request(AFTER, groupMessage(), { token: TOKEN, sdkAppId: 1400000001 }),
    ],
    ['bad JSON', 400, 'BODY_INVALID_JSON', () => ({ ...signed(AFTER, groupMessage()), body: '{"GroupId":' })],
  ])('%s: start, error, end with status %i and code %s', async (_name, status, code, build) => {
    const trace = listen();
    const response = await receiver().handle(build());
    expect(response.status).toBe(status);
    expect(trace.names()).toEqual(['start', 'error', 'end']);
    const context = trace.context();
    expect(context).toMatchObject({ command: AFTER, status, code });
    expect(context.error?.code).toBe(code);
    expect(context.kind).toBeUndefined();
    expect(context.sdkAppId).toBeUndefined();
  });

  test('the trace starts when the headers are in: before the body is asked for', async () => {
    const trace = listen();
    const built = signed(AFTER, groupMessage());
    let seenAtBody: string[] = [];
    const response = await receiver().handle({
      query: built.query,
      body: () => {
        seenAtBody = trace.names();
        return built.body;
      },
    });
    expect(response.status).toBe(200);
    expect(seenAtBody).toEqual(['start']);
  });

  test('fetch: another method is a METHOD_NOT_ALLOWED trace', async () => {
    const trace = listen();
    const response = await receiver().fetch(new Request('http://localhost/im', { method: 'GET' }));
    expect(response.status).toBe(405);
    expect(trace.context()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
  });
});

describe('over HTTP (node:http, streamed body)', () => {
  let server: Server;
  let url: string;
  const im = receiver();
  im.on(AFTER, () => undefined);

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      im.handle({
        query: queryOf(req.url),
        body: () => nodeBodySource(req),
        contentLength: req.headers['content-length'],
      }).then((response) => writeNodeResponse(res, response, req));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/im`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function post(query: string, body: string): Promise<number> {
    return new Promise((resolve, rejectPromise) => {
      const req = httpRequest(`${url}?${query}`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', rejectPromise);
      req.end(body);
    });
  }

  test('an accepted callback: end when the body is still to come, then asyncStart and asyncEnd', async () => {
    const trace = listen();
    const built = signed(AFTER, groupMessage(), 'http-1');
    expect(await post(built.query, built.body)).toBe(200);
    expect(trace.names()).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(trace.context()).toMatchObject({ command: AFTER, kind: 'after', status: 200, requestId: 'http-1' });
  });

  test('a refused callback: 401 with its code', async () => {
    const trace = listen();
    const built = request(AFTER, groupMessage(), { token: 'other' });
    expect(await post(built.query, built.body)).toBe(401);
    expect(trace.names()).toEqual(['start', 'error', 'end']);
    expect(trace.context()).toMatchObject({ status: 401, code: 'SIGN_INVALID' });
  });
});
