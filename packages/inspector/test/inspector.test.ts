/**
 * The recorder and the HTTP surface of @im-callbacks/inspector, in-process and over real servers:
 * what is recorded (and what never is: the token, the Sign), the caps, the NDJSON file and its
 * rotation, the redact hook, the access rules, replay, the derived curl/fixture/unknown fields,
 * and the one-line mounts the README shows for Express, Koa, Fastify and Hono.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createReceiver, silentLogger } from '@im-callbacks/core';
import { imCallbacks } from '@im-callbacks/express';
import { createInspector, type Inspector, PAGE_BYTES } from '@im-callbacks/inspector';
import { buildRequest, sample, send } from '@im-callbacks/testing';
import express from 'express';

const APP = 1400000000;
const TOKEN = 'the-callback-token-never-shown';
const AFTER = 'Group.CallbackAfterSendMsg';
const BEFORE = 'Group.CallbackBeforeSendMsg';

const inspectors: Inspector[] = [];
const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const inspector of inspectors.splice(0)) await inspector.close();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function inspect(options: Parameters<typeof createInspector>[0] = {}): Inspector {
  const inspector = createInspector(options);
  inspectors.push(inspector);
  return inspector;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'im-inspector-'));
  dirs.push(dir);
  return dir;
}

function receiver() {
  return createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
}

async function handle(
  im: ReturnType<typeof receiver>,
  command: string,
  payload: unknown,
  extra?: Record<string, string>,
) {
  const built = buildRequest(command, payload, { sdkAppId: APP, token: TOKEN, extraQuery: extra });
  return im.handle({ query: built.query, body: built.body });
}

async function listen(app: (req: never, res: never) => void): Promise<string> {
  const server = createServer(app as never);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('recording', () => {
  test('every callback is recorded: time, command, requestId, query (Sign redacted), body, status, answer, decision, ms', async () => {
    const inspector = inspect();
    const im = receiver();
    im.on(BEFORE, () => undefined);
    const before = Date.now();
    await handle(im, AFTER, sample(AFTER), { RequestID: 'req-1' });
    await handle(im, BEFORE, sample(BEFORE));
    await inspector.flush();
    const [after, decided] = inspector.records();
    expect(after).toMatchObject({
      id: 1,
      command: AFTER,
      kind: 'after',
      sdkAppId: APP,
      requestId: 'req-1',
      status: 200,
      answer: '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}',
      body: JSON.stringify(sample(AFTER)),
    });
    expect(after?.query).toMatchObject({ SdkAppid: String(APP), CallbackCommand: AFTER, Sign: '[redacted]' });
    expect(Date.parse(after?.time as string)).toBeGreaterThanOrEqual(before - 1);
    expect(after?.ms).toBeGreaterThanOrEqual(0);
    expect(decided).toMatchObject({ id: 2, command: BEFORE, kind: 'before', decision: 'allow' });
  });

  test('failed runs keep their error: PAYLOAD_INVALID with its issues, HANDLER_FAILED, HANDOFF_FAILED, a refusal', async () => {
    const inspector = inspect();
    const im = receiver();
    im.on(AFTER, () => {
      throw new Error('bug in the handler');
    });
    await handle(im, AFTER, sample(AFTER));
    await handle(im, AFTER, { ...sample(AFTER), GroupId: 42 });
    const handedOff = createReceiver({
      sdkAppId: APP,
      token: TOKEN,
      logger: silentLogger,
      handoff: { enqueue: () => Promise.reject(new Error('redis down')) },
    });
    await handle(handedOff, AFTER, sample(AFTER));
    await im.handle({ query: buildRequest(AFTER, {}, { sdkAppId: APP, token: 'wrong-token' }).query, body: '{}' });
    await inspector.flush();
    const [failed, invalid, handoff, refused] = inspector.records();
    expect(failed).toMatchObject({ status: 500, code: 'HANDLER_FAILED' });
    expect(invalid).toMatchObject({ status: 200, code: 'PAYLOAD_INVALID' });
    expect(invalid?.issues?.[0]).toMatchObject({ path: 'GroupId' });
    expect(handoff).toMatchObject({ status: 503, code: 'HANDOFF_FAILED' });
    expect(refused).toMatchObject({ status: 401, code: 'SIGN_INVALID' });
    expect(refused?.body).toBeUndefined();
  });

  test('the ring buffer keeps the last `max` callbacks and stays under `maxBytes`', async () => {
    const inspector = inspect({ max: 3 });
    const im = receiver();
    for (let index = 0; index < 5; index++) await handle(im, AFTER, sample(AFTER), { RequestID: `r${index}` });
    await inspector.flush();
    expect(inspector.records().map((record) => record.requestId)).toEqual(['r2', 'r3', 'r4']);

    const small = inspect({ maxBytes: 20_000 });
    const big = { ...sample(AFTER), MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'x'.repeat(4000) } }] };
    for (let index = 0; index < 10; index++) await handle(im, AFTER, big);
    await small.flush();
    expect(small.records().length).toBeGreaterThan(0);
    expect(small.records().length).toBeLessThan(4); // 10 bodies of 4 KB (8 KB as UTF-16) do not fit in 20 KB
  });

  test('NDJSON: one line per callback, rotated by size, the oldest dropped', async () => {
    const dir = tempDir();
    const path = join(dir, 'callbacks.ndjson');
    const inspector = inspect({ file: { path, maxBytes: 3000, keep: 2 } });
    const im = receiver();
    for (let index = 0; index < 12; index++) await handle(im, AFTER, sample(AFTER), { RequestID: `n${index}` });
    await inspector.flush();
    expect(readdirSync(dir).sort()).toEqual(['callbacks.ndjson', 'callbacks.ndjson.1', 'callbacks.ndjson.2']);
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({
      requestId: 'n11',
      command: AFTER,
      status: 200,
      query: { Sign: '[redacted]' },
    });
    for (const file of readdirSync(dir)) expect(readFileSync(join(dir, file)).length).toBeLessThanOrEqual(3000);
  });

  test('redact: changes what is kept, written and shown; null drops the record; a throwing hook drops it', async () => {
    const dir = tempDir();
    const path = join(dir, 'callbacks.ndjson');
    const warnings: string[] = [];
    const inspector = inspect({
      file: path,
      warn: (message) => warnings.push(message),
      redact(record) {
        if (record.requestId === 'drop') return null;
        if (record.requestId === 'throw') throw new Error('oops');
        return { ...record, body: record.body?.replace(/"Text":"[^"]*"/g, '"Text":"***"') };
      },
    });
    const im = receiver();
    await handle(im, AFTER, sample(AFTER), { RequestID: 'keep' });
    await handle(im, AFTER, sample(AFTER), { RequestID: 'drop' });
    await handle(im, AFTER, sample(AFTER), { RequestID: 'throw' });
    await inspector.flush();
    expect(inspector.records().map((record) => record.requestId)).toEqual(['keep']);
    expect(inspector.records()[0]?.body).toContain('"Text":"***"');
    expect(readFileSync(path, 'utf8')).not.toContain(JSON.stringify(sample(AFTER).MsgBody));
    expect(warnings).toEqual(['@im-callbacks/inspector: redact threw, record dropped: oops']);
  });

  test('nothing is recorded before createInspector or after close()', async () => {
    const im = receiver();
    await handle(im, AFTER, sample(AFTER));
    const inspector = inspect();
    await handle(im, AFTER, sample(AFTER), { RequestID: 'seen' });
    await inspector.close();
    await handle(im, AFTER, sample(AFTER));
    await new Promise((resolve) => setImmediate(resolve));
    expect(inspector.records().map((record) => record.requestId)).toEqual(['seen']);
  });

  test('several receivers at once, and dispatch (a queue worker) too', async () => {
    const inspector = inspect();
    const one = receiver();
    const two = createReceiver({ sdkAppId: 1400000001, logger: silentLogger });
    await handle(one, AFTER, sample(AFTER));
    await two.handle({
      query: buildRequest(AFTER, sample(AFTER), { sdkAppId: 1400000001 }).query,
      body: JSON.stringify(sample(AFTER)),
    });
    await two.dispatch(AFTER, sample(AFTER), { requestId: 'job-1' });
    await inspector.flush();
    expect(inspector.records().map((record) => [record.sdkAppId, record.dispatched ?? false])).toEqual([
      [APP, false],
      [1400000001, false],
      [1400000001, true],
    ]);
  });
});

describe('the token and the Sign never appear', () => {
  test('not in memory, not in the file, not in the API, the stream or the page', async () => {
    const dir = tempDir();
    const path = join(dir, 'callbacks.ndjson');
    const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
    im.on(AFTER, () => {
      throw new Error('failing handler');
    });
    const inspector = inspect({ file: path, receiver: im });
    const app = express();
    app.use('/im/inspector', inspector.node);
    app.post('/im/callback', im);
    const url = await listen(app as never);
    const signs: string[] = [];
    const streamed = fetch(`${url}/im/inspector/api/stream`);
    for (const command of [AFTER, BEFORE, 'Group.CallbackSomethingNew']) {
      const result = await send(`${url}/im/callback`, command, sample(command as typeof AFTER) ?? {}, {
        sdkAppId: APP,
        token: TOKEN,
      });
      signs.push(new URLSearchParams(result.request.url.split('?')[1]).get('Sign') as string);
    }
    await send(`${url}/im/callback`, AFTER, sample(AFTER), { sdkAppId: APP, token: 'another-token' });
    await inspector.flush();
    const replayed = await inspector.replay(1);
    expect(replayed.status).toBe(500);
    await inspector.flush();
    const stream = await streamed;
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    await reader.cancel();
    const texts = [
      JSON.stringify(inspector.records()),
      readFileSync(path, 'utf8'),
      await (await fetch(`${url}/im/inspector/`)).text(),
      await (await fetch(`${url}/im/inspector/api/callbacks`)).text(),
      ...(await Promise.all(
        inspector
          .records()
          .map(async (record) => (await fetch(`${url}/im/inspector/api/callbacks/${record.id}`)).text()),
      )),
      Buffer.from(value ?? []).toString(),
    ];
    expect(texts[2]).toContain('im-callbacks inspector');
    expect(texts[4]).toContain('[redacted]');
    for (const text of texts) {
      expect(text).not.toContain(TOKEN);
      for (const sign of signs) expect(text).not.toContain(sign);
    }
  });
});

describe('replay into this receiver', () => {
  test('runs the recorded body through the same handlers: a new record, replayOf the first, not swallowed by dedupe', async () => {
    const inspector = inspect();
    const im = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger, dedupe: { ttl: 60_000 } });
    inspector.close(); // re-created below with the receiver
    const live = inspect({ receiver: im });
    let fixed = false;
    const seen: string[] = [];
    im.on(AFTER, (event) => {
      seen.push(event.requestId ?? '');
      if (!fixed) throw new Error('not fixed yet');
    });
    await handle(im, AFTER, sample(AFTER), { RequestID: 'lost-one' });
    await live.flush();
    expect(live.records()[0]).toMatchObject({ status: 500, code: 'HANDLER_FAILED' });
    fixed = true; // the fix is deployed
    const result = await live.replay(1);
    expect(result).toMatchObject({ id: 1, status: 200 });
    expect(result.requestId).toMatch(/^replay-/);
    await live.flush();
    expect(live.records()[1]).toMatchObject({
      id: 2,
      replayOf: 1,
      status: 200,
      requestId: result.requestId,
      dispatched: true,
    });
    expect(seen).toEqual(['lost-one', result.requestId]);
  });

  test('without a receiver, or for a record without a body, replay says why', async () => {
    const inspector = inspect();
    const im = receiver();
    await handle(im, AFTER, sample(AFTER));
    await im.handle({ query: buildRequest(AFTER, {}, { sdkAppId: APP, token: 'wrong' }).query, body: '{}' });
    await inspector.flush();
    await expect(inspector.replay(1)).rejects.toThrow('no receiver to replay into');
    await expect(inspector.replay(2)).rejects.toThrow('no JSON body');
    await expect(inspector.replay(99)).rejects.toThrow('no record 99');
  });
});

describe('the HTTP surface', () => {
  async function app(options: Parameters<typeof createInspector>[0] = {}) {
    const im = receiver();
    const inspector = inspect({ receiver: im, ...options });
    await handle(im, AFTER, { ...sample(AFTER), SomethingNew: { Nested: 1 } }, { RequestID: 'http-1' });
    await inspector.flush();
    return { im, inspector };
  }

  test('without a token: loopback clients under a loopback host only', async () => {
    const { inspector } = await app();
    const page = (host: string, address: string) =>
      inspector.fetch(new Request(`http://${host}/im/inspector/`), { address });
    expect((await page('127.0.0.1:3000', '127.0.0.1')).status).toBe(200);
    expect((await page('localhost:3000', '::1')).status).toBe(200);
    expect((await page('[::1]:3000', '::ffff:127.0.0.1')).status).toBe(200);
    expect((await page('127.0.0.1:3000', '10.0.0.8')).status).toBe(403);
    expect((await page('rebound.example.com', '127.0.0.1')).status).toBe(403);
    expect((await inspector.fetch(new Request('http://127.0.0.1/im/inspector/'))).status).toBe(403); // address unknown
  });

  test('with a token: Bearer, or a one-time ?token= that sets an HttpOnly cookie; anything else 401', async () => {
    const token = 'inspector-secret-1';
    const { inspector } = await app({ token });
    const get = (path: string, headers: Record<string, string> = {}) =>
      inspector.fetch(new Request(`http://example.com${path}`, { headers }), { address: '203.0.113.9' });
    expect((await get('/im/inspector/api/callbacks')).status).toBe(401);
    expect((await get('/im/inspector/api/callbacks', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get('/im/inspector/api/callbacks', { authorization: `Bearer ${token}` })).status).toBe(200);
    const signIn = await get(`/im/inspector/?token=${token}`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/im/inspector/');
    const cookie = signIn.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^im_inspector=[0-9a-f]{64}; Path=\/im\/inspector\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(token);
    const session = cookie.split(';')[0] as string;
    expect((await get('/im/inspector/', { cookie: session })).status).toBe(200);
    expect((await get('/im/inspector/', { cookie: 'im_inspector=forged' })).status).toBe(401);
  });

  test('replay and retry need the x-im-inspector header and a same-origin Origin', async () => {
    const { inspector } = await app();
    const post = (headers: Record<string, string>) =>
      inspector.fetch(
        new Request('http://127.0.0.1/im/inspector/api/callbacks/1/replay', { method: 'POST', headers }),
        {
          address: '127.0.0.1',
        },
      );
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-im-inspector': '1', origin: 'http://evil.example' })).status).toBe(403);
    const ok = await post({ 'x-im-inspector': '1', origin: 'http://127.0.0.1' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: 1, status: 200 });
  });

  test('the detail: body, query, unknown fields, curl that re-signs, a fixture ready for invoke()', async () => {
    const { inspector } = await app();
    const response = await inspector.fetch(new Request('http://127.0.0.1/x/api/callbacks/1'), { address: '127.0.0.1' });
    const detail = await response.json();
    expect(detail).toMatchObject({ id: 1, command: AFTER, requestId: 'http-1', replayable: true });
    expect(detail.unknownFields).toEqual(['SomethingNew']);
    expect(detail.fixture).toEqual({
      command: AFTER,
      payload: { ...sample(AFTER), SomethingNew: { Nested: 1 } },
      context: { requestId: 'http-1', sdkAppId: APP, clientIp: '127.0.0.1', optPlatform: 'RESTAPI' },
      recorded: { time: detail.time, status: 200, reply: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 } },
    });
    expect(detail.curl).toContain(['TOKEN="$', '{TOKEN:-your-callback-token}"'].join(''));
    expect(detail.curl).not.toContain('[redacted]');
  });

  test('the curl, run with the real token, is accepted by the receiver (re-signed at run time)', async () => {
    const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
    const got: unknown[] = [];
    im.on(AFTER, (event) => {
      got.push(event.payload.GroupId);
    });
    const inspector = inspect();
    const server = express();
    server.post('/im/callback', im);
    const url = await listen(server as never);
    await send(`${url}/im/callback`, AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
    await inspector.flush();
    const curl = (
      await (await inspector.fetch(new Request('http://127.0.0.1/api/callbacks/1'), { address: '127.0.0.1' })).json()
    ).curl;
    const { stdout } = await promisify(execFile)('bash', ['-c', curl], {
      env: { ...process.env, URL: `${url}/im/callback`, TOKEN },
    });
    expect(JSON.parse(stdout)).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    expect(got).toEqual([sample(AFTER).GroupId, sample(AFTER).GroupId]);
  });

  test('routes: the page at the mount root (a folder), a redirect to it, 404 for an unknown API, 405 for a POST page', async () => {
    const { inspector } = await app();
    const call = (path: string, init?: RequestInit) =>
      inspector.fetch(new Request(`http://127.0.0.1${path}`, init), { address: '127.0.0.1' });
    const page = await call('/im/inspector/');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+'; style-src 'sha256-/);
    expect(Buffer.byteLength(await page.text())).toBe(PAGE_BYTES);
    const redirect = await call('/im/inspector');
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/im/inspector/']);
    expect((await call('/im/inspector/api/nothing')).status).toBe(404);
    expect((await call('/im/inspector/api/callbacks/99')).status).toBe(404);
    expect((await call('/im/inspector/', { method: 'POST', headers: { 'x-im-inspector': '1' } })).status).toBe(405);
    expect(PAGE_BYTES).toBeLessThan(50 * 1024);
  });
});

describe('the README mounts', () => {
  async function check(url: string) {
    const redirect = await fetch(`${url}/im/inspector`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/im/inspector/']);
    const page = await fetch(`${url}/im/inspector/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>im-callbacks inspector</title>');
    const list = await fetch(`${url}/im/inspector/api/callbacks`);
    expect(await list.json()).toEqual([expect.objectContaining({ id: 1, command: AFTER })]);
  }

  async function recorded() {
    const inspector = inspect();
    await handle(receiver(), AFTER, sample(AFTER));
    await inspector.flush();
    return inspector;
  }

  test('Express: app.use(path, inspector.node)', async () => {
    const inspector = await recorded();
    const app = express();
    app.use('/im/inspector', inspector.node);
    await check(await listen(app as never));
  });

  test('Koa: @koa/router, ctx.respond = false', async () => {
    const { default: Koa } = await import('koa');
    const { default: Router } = await import('@koa/router');
    const inspector = await recorded();
    const app = new Koa();
    const router = new Router();
    router.all(['/im/inspector', '/im/inspector/{*rest}'], (ctx) => {
      ctx.respond = false;
      inspector.node(ctx.req, ctx.res);
    });
    app.use(router.routes());
    await check(await listen(app.callback() as never));
  });

  test('Fastify: reply.hijack()', async () => {
    const { default: Fastify } = await import('fastify');
    const inspector = await recorded();
    const app = Fastify();
    app.all('/im/inspector', (request, reply) => {
      reply.hijack();
      inspector.node(request.raw, reply.raw);
    });
    app.all('/im/inspector/*', (request, reply) => {
      reply.hijack();
      inspector.node(request.raw, reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await check(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    } finally {
      await app.close();
    }
  });

  test('Hono: app.all(path, (c) => inspector.fetch(c.req.raw, c.env))', async () => {
    const { Hono } = await import('hono');
    const { serve } = await import('@hono/node-server');
    const inspector = await recorded();
    const app = new Hono();
    app.all('/im/inspector/*', (c) => inspector.fetch(c.req.raw, c.env));
    app.all('/im/inspector', (c) => inspector.fetch(c.req.raw, c.env));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    await check(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
});
