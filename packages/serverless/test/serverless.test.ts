/**
 * The SCF and Lambda handlers on each platform's documented example event (test/fixtures, copied
 * field for field from the docs), with only what a callback changes filled in: a signed callback
 * dispatched and answered in the platform's response shape; a base64 body; no query at all; a 6 MB
 * body over the limit (declared and undeclared); headers in either case; a GET; and late handlers
 * finished before the handler returns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createReceiver,
  type ImCallbackError,
  type LambdaHttpEvent,
  lambdaHandler,
  reject,
  type ScfApiGatewayEvent,
  scfHandler,
  silentLogger,
} from '@im-callbacks/serverless';
import { buildRequest, sample } from '@im-callbacks/testing';

const APP = 1400000000;
const TOKEN = 'serverless-token';
const AFTER = 'Group.CallbackAfterSendMsg';
const BEFORE = 'Group.CallbackBeforeSendMsg';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

type Json = Record<string, unknown>;
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;

/** What a callback request changes in a platform's event; every other documented field is kept. */
interface Callback {
  readonly method?: string;
  /** The signed query, without `?` (undefined: the event carries no query at all). */
  readonly query: string | undefined;
  readonly body: string | Buffer;
  /** Whether the platform delivered the body base64-encoded. */
  readonly base64?: boolean;
  /** The Content-Length header (default: the body's length; null: none). */
  readonly length?: number | null;
}

function params(query: string | undefined): [string, string][] {
  return query === undefined ? [] : [...new URLSearchParams(query)];
}

function bodyField(callback: Callback): string {
  const bytes = Buffer.isBuffer(callback.body) ? callback.body : Buffer.from(callback.body);
  return callback.base64 ? bytes.toString('base64') : bytes.toString('utf8');
}

function declared(callback: Callback): Json {
  const length = callback.length === undefined ? Buffer.byteLength(callback.body) : callback.length;
  return length === null ? {} : { length: String(length) };
}

/** REST API and HTTP API 1.0: headers in the client's case, single and multi-value query maps. */
function v1Event(name: string, callback: Callback): LambdaHttpEvent {
  const event = fixture<Json>(name);
  const method = callback.method ?? 'POST';
  const { length } = declared(callback) as { length?: string };
  const headers = { ...(event.headers as Json), 'Content-Type': 'application/json' } as Json;
  if (length !== undefined) headers['Content-Length'] = length;
  else delete headers['Content-Length'];
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of params(callback.query)) {
    single[key] = value;
    multi[key] = [...(multi[key] ?? []), value];
  }
  const none = callback.query === undefined;
  return {
    ...event,
    httpMethod: method,
    requestContext: { ...(event.requestContext as Json), httpMethod: method },
    headers,
    queryStringParameters: none ? null : single,
    multiValueQueryStringParameters: none ? null : multi,
    body: bodyField(callback),
    isBase64Encoded: callback.base64 === true,
  } as LambdaHttpEvent;
}

/** HTTP API 2.0 and function URLs: lower-cased headers, the raw query string. */
function v2Event(name: string, callback: Callback): LambdaHttpEvent {
  const event = fixture<Json>(name);
  const context = event.requestContext as Json;
  const { length } = declared(callback) as { length?: string };
  const headers = { ...(event.headers as Json), 'content-type': 'application/json' } as Json;
  if (length !== undefined) headers['content-length'] = length;
  const single: Record<string, string> = {};
  for (const [key, value] of params(callback.query))
    single[key] = single[key] === undefined ? value : `${single[key]},${value}`;
  const result: Json = {
    ...event,
    rawQueryString: callback.query ?? '',
    requestContext: { ...context, http: { ...(context.http as Json), method: callback.method ?? 'POST' } },
    headers,
    body: bodyField(callback),
    isBase64Encoded: callback.base64 === true,
  };
  // With no query, API Gateway leaves `queryStringParameters` out of a 2.0 event.
  if (callback.query === undefined) delete result.queryStringParameters;
  else result.queryStringParameters = single;
  return result as LambdaHttpEvent;
}

/** SCF: `queryString` is the whole query; `queryStringParameters` only what the API configured. */
function scfEvent(callback: Callback): ScfApiGatewayEvent {
  const event = fixture<Json>('scf-api-gateway.json');
  const method = callback.method ?? 'POST';
  const { length } = declared(callback) as { length?: string };
  const headers = { ...(event.headers as Json), 'Content-Type': 'application/json' } as Json;
  if (length !== undefined) headers['Content-Length'] = length;
  const result: Json = {
    ...event,
    httpMethod: method,
    requestContext: { ...(event.requestContext as Json), httpMethod: method },
    headers,
    queryString: Object.fromEntries(params(callback.query)),
    queryStringParameters: {},
    body: bodyField(callback),
  };
  if (callback.base64) result.isBase64Encoded = true;
  if (callback.query === undefined) delete result.queryString;
  return result as ScfApiGatewayEvent;
}

type Platform = {
  readonly name: string;
  readonly event: (callback: Callback) => unknown;
  readonly handler: (receiver: ReturnType<typeof createReceiver>) => (event: never) => Promise<Result>;
};

/** What both handlers resolve with (Lambda's and SCF's response objects have the same fields). */
interface Result {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

const platforms: Platform[] = [
  {
    name: 'Lambda, REST API (proxy integration)',
    event: (c) => v1Event('lambda-rest-api.json', c),
    handler: lambdaHandler,
  },
  { name: 'Lambda, HTTP API payload 1.0', event: (c) => v1Event('lambda-http-api-v1.json', c), handler: lambdaHandler },
  { name: 'Lambda, HTTP API payload 2.0', event: (c) => v2Event('lambda-http-api-v2.json', c), handler: lambdaHandler },
  { name: 'Lambda, function URL', event: (c) => v2Event('lambda-function-url.json', c), handler: lambdaHandler },
  { name: 'Tencent SCF, API gateway trigger', event: scfEvent, handler: scfHandler },
];

function setup() {
  const errors: ImCallbackError[] = [];
  const seen: Json[] = [];
  const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger, deadline: 50 });
  receiver.on(AFTER, (event) => {
    seen.push({ command: event.command, seq: event.payload.MsgSeq, clientIp: event.clientIp });
  });
  receiver.on(BEFORE, () => reject(10100, 'spam'));
  receiver.onError((error) => {
    errors.push(error);
  });
  return { receiver, errors, seen };
}

describe.each(platforms)('$name', ({ event, handler }) => {
  test('a signed after-callback is dispatched and answered in the platform response shape', async () => {
    const { receiver, seen, errors } = setup();
    const built = buildRequest(AFTER, { ...sample(AFTER), MsgSeq: 41 }, { sdkAppId: APP, token: TOKEN });
    const result = await handler(receiver)(event({ query: built.query, body: built.body }) as never);
    expect(result).toEqual({ statusCode: 200, headers: JSON_TYPE, body: JSON.stringify(OK), isBase64Encoded: false });
    expect(seen).toEqual([{ command: AFTER, seq: 41, clientIp: '127.0.0.1' }]);
    expect(errors).toEqual([]);
  });

  test("a before-callback's decision is the body", async () => {
    const { receiver } = setup();
    const built = buildRequest(BEFORE, sample(BEFORE), { sdkAppId: APP, token: TOKEN });
    const result = await handler(receiver)(event({ query: built.query, body: built.body }) as never);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ ActionStatus: 'OK', ErrorInfo: 'spam', ErrorCode: 10100 });
  });

  test('a base64 body (flagged by the platform) is decoded', async () => {
    const { receiver, seen } = setup();
    const built = buildRequest(AFTER, { ...sample(AFTER), MsgSeq: 42 }, { sdkAppId: APP, token: TOKEN });
    const result = await handler(receiver)(event({ query: built.query, body: built.body, base64: true }) as never);
    expect(result.statusCode).toBe(200);
    expect(seen).toEqual([{ command: AFTER, seq: 42, clientIp: '127.0.0.1' }]);
  });

  test('an event without any query is answered as an empty query is, nothing dispatched', async () => {
    const { receiver, seen } = setup();
    const reference = setup().receiver;
    const body = JSON.stringify(sample(AFTER));
    const result = await handler(receiver)(event({ query: undefined, body }) as never);
    const expected = await reference.handle({ method: 'POST', query: '', body });
    expect([result.statusCode, result.body]).toEqual([expected.status, expected.body]);
    expect(result.statusCode).not.toBe(500);
    expect(seen).toEqual([]);
  });

  test('a 6 MB body is refused 413 (declared: before it is decoded; undeclared: at the limit)', async () => {
    const { receiver, seen, errors } = setup();
    const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
    const big = Buffer.alloc(6 * 1024 * 1024, 0x20);
    const run = handler(receiver);
    for (const length of [undefined, null] as const) {
      const result = await run(event({ query: built.query, body: big, base64: true, length }) as never);
      expect(result.statusCode).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1 });
    }
    expect(errors.map((error) => error.code)).toEqual(['BODY_TOO_LARGE', 'BODY_TOO_LARGE']);
    expect(seen).toEqual([]);
  });

  test('a forged Sign is refused 401; a GET 405', async () => {
    const { receiver, seen } = setup();
    const forged = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: 'not-the-token' });
    const run = handler(receiver);
    expect((await run(event({ query: forged.query, body: forged.body }) as never)).statusCode).toBe(401);
    const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
    const get = await run(event({ method: 'GET', query: built.query, body: '', length: null }) as never);
    expect(get.statusCode).toBe(405);
    expect(seen).toEqual([]);
  });

  test('handlers still running at the deadline finish before the handler returns (the function is frozen after)', async () => {
    const { receiver } = setup();
    let finished = false;
    receiver.on(AFTER, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
    const started = Date.now();
    const result = await handler(receiver)(event({ query: built.query, body: built.body }) as never);
    expect(result.statusCode).toBe(200);
    expect(finished).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});

test('lambdaHandler / scfHandler take an SDKAppID and options too, and carry the registration methods', async () => {
  const seen: string[] = [];
  const lambda = lambdaHandler(APP, { token: TOKEN, logger: silentLogger });
  lambda.on(AFTER, (event) => {
    seen.push(`lambda ${event.payload.GroupId}`);
  });
  const scf = scfHandler(APP, { token: TOKEN, logger: silentLogger });
  scf.on(AFTER, (event) => {
    seen.push(`scf ${event.payload.GroupId}`);
  });
  const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
  expect((await lambda(v2Event('lambda-http-api-v2.json', { query: built.query, body: built.body }))).statusCode).toBe(
    200,
  );
  expect((await scf(scfEvent({ query: built.query, body: built.body }))).statusCode).toBe(200);
  expect(seen).toEqual([`lambda ${sample(AFTER).GroupId}`, `scf ${sample(AFTER).GroupId}`]);
  expect(lambda.receiver).not.toBe(scf.receiver);
  expect(() => lambdaHandler(APP, { path: '/x' } as never)).toThrow(/path/);
});

test('REST API: a query parameter sent twice (multiValueQueryStringParameters) is refused, as over HTTP', async () => {
  const { receiver, seen } = setup();
  const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
  const event = v1Event('lambda-rest-api.json', { query: `${built.query}&SdkAppid=${APP}`, body: built.body });
  expect((await lambdaHandler(receiver)(event)).statusCode).toBe(400);
  expect(seen).toEqual([]);
});
