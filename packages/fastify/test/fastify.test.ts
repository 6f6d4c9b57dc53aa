/**
 * Fastify-specific behaviour (the shared protocol behaviour, every Content-Type and upstream parser
 * included, is in test/conformance): the decoration, encapsulation and prefixes, an existing receiver
 * and two registrations, the route's own body reader and body limit, Fastify's logger, inject().
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import { createReceiver, imCallbacks, imCallbacksRequestSerializer, reject, silentLogger } from '@im-callbacks/fastify';
import { buildRequest, sample, send } from '@im-callbacks/testing';
import Fastify4 from 'fastify4';
import Fastify5, { type FastifyInstance } from 'fastify5';

const APP = 1400000000;
const TOKEN = 'fastify-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const AFTER = 'Group.CallbackAfterSendMsg';
const BEFORE = 'Group.CallbackBeforeSendMsg';
const sendAs = { sdkAppId: APP, token: TOKEN };

// Typed against Fastify 5 (the types the package builds with); both majors run.
const majors = [
  ['fastify 4', Fastify4 as unknown as typeof Fastify5],
  ['fastify 5', Fastify5],
] as const;
type App = FastifyInstance;

describe.each(majors)('%s', (_name, Fastify) => {
  let app: App | undefined;
  afterEach(async () => {
    await closeApp();
  });

  async function closeApp(): Promise<void> {
    await app?.close();
    app = undefined;
  }

  async function start(setup: (app: App) => unknown): Promise<string> {
    app = Fastify();
    await setup(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  it('answers on its route, with the typed event, and decorates the app', async () => {
    const seen: string[] = [];
    const base = await start(async (app) => {
      await app.register(imCallbacks, { sdkAppId: APP, token: TOKEN, path: '/im/callback', logger: silentLogger });
      app.imCallbacks.on(AFTER, (event) => {
        seen.push(`${event.command} ${event.payload.GroupId} ${typeof event.payload.EventTime}`);
      });
    });
    const result = await send(`${base}/im/callback`, AFTER, sample(AFTER), sendAs);
    expect(result.status).toBe(200);
    expect(result.reply).toEqual(OK);
    expect(seen).toEqual([`${AFTER} ${sample(AFTER).GroupId} number`]);
  });

  it('app.close() drains the receiver: late handlers finish before it resolves; closeTimeout bounds it', async () => {
    const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, deadline: 30, logger: silentLogger });
    let finished = 0;
    receiver.on(AFTER, async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      finished++;
    });
    const base = await start((app) => app.register(imCallbacks, { receiver, path: '/im/callback' }));
    expect((await send(`${base}/im/callback`, AFTER, sample(AFTER), sendAs)).status).toBe(200);
    expect(finished).toBe(0);
    await closeApp();
    expect(finished).toBe(1);
    expect(receiver.closing).toBe(true);

    const short = createReceiver({ sdkAppId: APP, token: TOKEN, deadline: 30, logger: silentLogger });
    const codes: string[] = [];
    short.onError((error) => {
      codes.push(error.code);
    });
    short.on(AFTER, () => new Promise((resolve) => setTimeout(resolve, 2_000)));
    const shortBase = await start((app) =>
      app.register(imCallbacks, { receiver: short, path: '/im/callback', closeTimeout: 50 }),
    );
    expect((await send(`${shortBase}/im/callback`, AFTER, sample(AFTER), sendAs)).status).toBe(200);
    const started = Date.now();
    await closeApp();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(codes).toEqual(['ABANDONED']);
  });

  it("the default closeTimeout stays under the app's pluginTimeout (Fastify fails a close hook that outlasts it)", async () => {
    const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, deadline: 30, logger: silentLogger });
    const codes: string[] = [];
    receiver.onError((error) => {
      codes.push(error.code);
    });
    receiver.on(AFTER, () => new Promise((resolve) => setTimeout(resolve, 5_000)));
    app = Fastify({ pluginTimeout: 1_500 });
    await app.register(imCallbacks, { receiver, path: '/im/callback' });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    expect((await send(`${base}/im/callback`, AFTER, sample(AFTER), sendAs)).status).toBe(200);
    const started = Date.now();
    await closeApp();
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(codes).toEqual(['ABANDONED']);
  });

  it('closeTimeout: false leaves the receiver open; a bad closeTimeout is refused', async () => {
    const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
    await start((app) => app.register(imCallbacks, { receiver, path: '/im/callback', closeTimeout: false }));
    await closeApp();
    expect(receiver.closing).toBe(false);
    const bad = Fastify();
    await expect(
      bad.register(imCallbacks, { receiver, path: '/im/callback', closeTimeout: -5 }).ready(),
    ).rejects.toThrow(/closeTimeout must be a number/);
  });

  it("leaves the other routes' body parsing unchanged", async () => {
    const base = await start(async (app) => {
      app.post('/json', async (request) => ({ type: typeof request.body, body: request.body }));
      await app.register(imCallbacks, { sdkAppId: APP, token: TOKEN, path: '/im/callback', logger: silentLogger });
      app.post('/text', async (request) => ({ type: typeof request.body, body: request.body }));
    });
    const json = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await json.json()).toEqual({ type: 'object', body: { a: 1 } });
    const badJson = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(badJson.status).toBe(400);
    const text = await fetch(`${base}/text`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(await text.json()).toEqual({ type: 'string', body: 'hello' });
    const unsupported = await fetch(`${base}/text`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'bytes',
    });
    expect(unsupported.status).toBe(415);
    expect((await send(`${base}/im/callback`, AFTER, sample(AFTER), sendAs)).reply).toEqual(OK);
  });

  it('lives under the prefix of the encapsulated context it is registered in', async () => {
    const base = await start(async (app) => {
      await app.register(
        async (scope) => {
          await scope.register(imCallbacks, {
            sdkAppId: APP,
            token: TOKEN,
            path: '/im/callback',
            logger: silentLogger,
          });
          scope.imCallbacks.onAny(() => {});
        },
        { prefix: '/tenant' },
      );
    });
    expect((await send(`${base}/tenant/im/callback`, AFTER, sample(AFTER), sendAs)).reply).toEqual(OK);
    expect((await send(`${base}/im/callback`, AFTER, sample(AFTER), sendAs)).status).toBe(404);
  });

  it('takes a prefix option of its own', async () => {
    const base = await start((app) =>
      app.register(imCallbacks, {
        sdkAppId: APP,
        token: TOKEN,
        path: '/callback',
        prefix: '/im',
        logger: silentLogger,
      }),
    );
    expect((await send(`${base}/im/callback`, AFTER, sample(AFTER), sendAs)).reply).toEqual(OK);
  });

  it('serves an existing receiver ({ receiver, path }) and refuses per the status table', async () => {
    const commands: string[] = [];
    const errors: string[] = [];
    const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, bodyLimit: 2048, logger: silentLogger })
      .onAny((event) => void commands.push(event.command))
      .onError((error) => void errors.push(error.code));
    const base = await start((app) => app.register(imCallbacks, { receiver, path: '/im/callback' }));
    const url = `${base}/im/callback`;
    expect((await send(url, AFTER, sample(AFTER), sendAs)).status).toBe(200);
    expect((await send(url, AFTER, sample(AFTER), { ...sendAs, token: 'wrong' })).status).toBe(401);
    expect((await send(url, AFTER, sample(AFTER), { ...sendAs, sdkAppId: 1400000001 })).status).toBe(403);
    expect((await send(url, AFTER, '{oops', sendAs)).status).toBe(400);
    expect(commands).toEqual([AFTER]);
    expect(errors).toHaveLength(3);
  });

  it('registered twice: two paths, two apps, each with its own receiver', async () => {
    const first = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
    const second = createReceiver({ sdkAppId: 1400000002, logger: silentLogger });
    const seen: string[] = [];
    first.on(AFTER, (event) => void seen.push(`first ${event.sdkAppId}`));
    second.on(AFTER, (event) => void seen.push(`second ${event.sdkAppId}`));
    const base = await start(async (app) => {
      await app.register(imCallbacks, { receiver: first, path: '/im/a' });
      await app.register(imCallbacks, { receiver: second, path: '/im/b' });
    });
    expect((await send(`${base}/im/a`, AFTER, sample(AFTER), sendAs)).reply).toEqual(OK);
    expect((await send(`${base}/im/b`, AFTER, sample(AFTER), { sdkAppId: 1400000002 })).reply).toEqual(OK);
    expect((await send(`${base}/im/b`, AFTER, sample(AFTER), sendAs)).status).toBe(403);
    expect(seen).toEqual([`first ${APP}`, 'second 1400000002']);
    // app.imCallbacks belongs to the first registration.
    expect((app as App & { imCallbacks: { receiver: unknown } }).imCallbacks.receiver).toBe(first);
  });

  it('registered twice without a receiver: a clear error, not FST_ERR_DEC_ALREADY_PRESENT', async () => {
    const local = Fastify();
    try {
      await local.register(imCallbacks, { sdkAppId: APP, path: '/im/a', logger: silentLogger });
      await expect(local.register(imCallbacks, { sdkAppId: APP, path: '/im/b', logger: silentLogger })).rejects.toThrow(
        /already registered in this context.*register \{ receiver, path \}/,
      );
    } finally {
      await local.close().catch(() => {});
    }
  });

  it('honours a fractional bodyLimit (1.5 KiB)', async () => {
    const base = await start((app) =>
      app.register(imCallbacks, { sdkAppId: APP, path: '/im/callback', bodyLimit: 1536.5, logger: silentLogger }),
    );
    const small = { ...sample(AFTER), Pad: 'x'.repeat(600) };
    expect((await send(`${base}/im/callback`, AFTER, small, { sdkAppId: APP })).status).toBe(200);
    const large = { ...sample(AFTER), Pad: 'x'.repeat(1600) };
    expect((await send(`${base}/im/callback`, AFTER, large, { sdkAppId: APP })).status).toBe(413);
  });

  it('with imCallbacksRequestSerializer, no log line carries the Sign', async () => {
    const lines: string[] = [];
    const stream = { write: (line: string) => void lines.push(line) };
    app = Fastify({ logger: { level: 'info', stream, serializers: { req: imCallbacksRequestSerializer } } });
    await app.register(imCallbacks, { sdkAppId: APP, token: TOKEN, path: '/im/callback' });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const result = await send(`${base}/im/callback`, AFTER, sample(AFTER), sendAs);
    expect(result.status).toBe(200);
    const logged = lines.join('');
    expect(logged).toMatch(/Sign=\[redacted\]/);
    expect(logged).not.toMatch(/Sign=[0-9a-f]{64}/);
  });

  it("enforces the core's body limit, not Fastify's", async () => {
    const base = await start(async (app) => {
      await app.register(imCallbacks, {
        sdkAppId: APP,
        token: TOKEN,
        path: '/small',
        bodyLimit: 2048,
        logger: silentLogger,
      });
      await app.register(async (scope) => {
        await scope.register(imCallbacks, {
          sdkAppId: APP,
          token: TOKEN,
          path: '/big',
          bodyLimit: 4 * 1024 * 1024,
          logger: silentLogger,
        });
      });
    });
    const small = await send(`${base}/small`, AFTER, 'x'.repeat(64 * 1024), sendAs);
    expect(small.status).toBe(413);
    expect(small.reply).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1 });
    // Over Fastify's default bodyLimit (1 MiB), within ours.
    const payload = { ...sample(AFTER), Padding: 'x'.repeat(2 * 1024 * 1024) };
    const big = await send(`${base}/big`, AFTER, payload, {
      ...sendAs,
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(200);
  });

  it("logs through Fastify's logger by default", async () => {
    const lines: string[] = [];
    app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } } });
    await app.register(imCallbacks, { sdkAppId: APP, path: '/im/callback' });
    await app.ready();
    expect(lines.some((line) => line.includes('no callback token configured'))).toBe(true);
  });

  it("logs a request's refusal through that request's logger (with its reqId)", async () => {
    const lines: string[] = [];
    app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } } });
    await app.register(imCallbacks, { sdkAppId: APP, token: TOKEN, path: '/im/callback' });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const result = await send(`${base}/im/callback`, AFTER, sample(AFTER), { ...sendAs, sdkAppId: 1 });
    expect(result.status).toBe(403);
    const refusal = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg.startsWith('SDKAPPID_MISMATCH'));
    expect(refusal).toMatchObject({
      level: 40,
      msg: `SDKAPPID_MISMATCH ${AFTER}: SdkAppid is not this app`,
      reqId: expect.anything(),
    });
  });

  it("works with Fastify's inject() (no real socket), as apps test their routes", async () => {
    app = Fastify();
    await app.register(imCallbacks, { sdkAppId: APP, token: TOKEN, path: '/im/callback', logger: silentLogger });
    const seen: number[] = [];
    app.imCallbacks.on(AFTER, (event) => {
      seen.push(event.payload.MsgSeq ?? -1);
    });
    const built = buildRequest(AFTER, sample(AFTER), sendAs);
    const ok = await app.inject({ method: 'POST', url: `/im/callback?${built.query}`, payload: built.body });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual(OK);
    expect(seen).toHaveLength(1);
    const unsigned = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
    const refused = await app.inject({ method: 'POST', url: `/im/callback?${unsigned.query}`, payload: unsigned.body });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1 });
    expect(seen).toHaveLength(1);
  });

  describe("the route's own body reader", () => {
    /** A receiver that records what its handlers saw and the codes it reported. */
    function recording(options: { bodyLimit?: number } = {}) {
      const texts: string[] = [];
      const errors: string[] = [];
      const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger, ...options })
        .on(AFTER, (event) => {
          const element = event.payload.MsgBody[0];
          texts.push(element?.MsgType === 'TIMTextElem' ? (element.MsgContent as { Text: string }).Text : '?');
        })
        .onError((error) => void errors.push(error.code));
      return { receiver, texts, errors };
    }

    /** Sends `parts` one by one (each flushed on its own) as the body of a signed after-callback. */
    function sendInParts(
      base: string,
      parts: readonly Buffer[],
      headers: Record<string, string | number>,
    ): Promise<{ status: number; body: string; connection: string | undefined }> {
      const { query } = buildRequest(AFTER, '', sendAs);
      return new Promise((resolve, reject) => {
        const request = http.request(`${base}/im/callback?${query}`, { method: 'POST', headers }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection }),
          );
        });
        request.on('error', reject);
        request.setNoDelay(true);
        const next = (i: number): void => {
          if (i === parts.length) {
            request.end();
            return;
          }
          request.write(parts[i]);
          setTimeout(() => next(i + 1), 20);
        };
        next(0);
      });
    }

    it('joins a body that arrives in several chunks, a character split across two of them', async () => {
      const { receiver, texts, errors } = recording();
      const base = await start((app) => app.register(imCallbacks, { receiver, path: '/im/callback' }));
      const payload = sample(AFTER);
      const text = '红包 happy new year 新年快乐';
      const bytes = Buffer.from(
        JSON.stringify({ ...payload, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text } }] }),
      );
      // Cut inside the first character's three UTF-8 bytes, and again later.
      const at = bytes.indexOf(Buffer.from('红')) + 1;
      const parts = [bytes.subarray(0, at), bytes.subarray(at, at + 40), bytes.subarray(at + 40)];
      const result = await sendInParts(base, parts, { 'content-length': bytes.length });
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body)).toEqual(OK);
      expect(texts).toEqual([text]);
      expect(errors).toEqual([]);
    });

    it('refuses a chunked body (no Content-Length) once it passes the limit: 413, connection closed', async () => {
      const { receiver, texts, errors } = recording({ bodyLimit: 2048 });
      const base = await start((app) => app.register(imCallbacks, { receiver, path: '/im/callback' }));
      const part = Buffer.from(`{"pad":"${'x'.repeat(1000)}`);
      const result = await sendInParts(base, [part, part, part, Buffer.from('"}')], {
        'transfer-encoding': 'chunked',
      });
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ ActionStatus: 'FAIL' });
      expect(result.connection).toBe('close');
      expect(texts).toEqual([]);
      expect(errors).toEqual(['BODY_TOO_LARGE']);
    });

    it('answers 400 BODY_INVALID_JSON for a body that is not UTF-8 (not a read failure)', async () => {
      const { receiver, errors } = recording();
      const base = await start((app) => app.register(imCallbacks, { receiver, path: '/im/callback' }));
      // Invalid UTF-8 where a JSON value must be: decoded, it is a replacement character, not JSON.
      const bytes = Buffer.concat([Buffer.from('{"GroupId":'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('}')]);
      const result = await sendInParts(base, [bytes], { 'content-length': bytes.length });
      expect(result.status).toBe(400);
      expect(errors).toEqual(['BODY_INVALID_JSON']);
    });

    it("reads what an app's preParsing hook hands it (strings included), checked against Content-Length", async () => {
      const { receiver, texts, errors } = recording();
      const base = await start(async (app) => {
        // An app-wide hook: the text of the body, re-emitted as strings; `?short` drops its last byte.
        app.addHook('preParsing', async (request, _reply, payload) => {
          let text = '';
          for await (const chunk of payload) text += chunk;
          const short = request.url.includes('short=1');
          return Readable.from([short ? text.slice(0, -1) : text], { objectMode: true });
        });
        await app.register(imCallbacks, { receiver, path: '/im/callback' });
      });
      const body = JSON.stringify(sample(AFTER));
      const ok = await send(`${base}/im/callback`, AFTER, body, sendAs);
      expect(ok.status).toBe(200);
      const short = await send(`${base}/im/callback`, AFTER, body, { ...sendAs, extraQuery: { short: '1' } });
      expect(short.status).toBe(400);
      expect(texts).toHaveLength(1);
      expect(errors).toEqual(['BODY_READ_FAILED']);
    });
  });

  it('validates its options at registration, with a clear error', async () => {
    const register = async (options: unknown): Promise<void> => {
      const local = Fastify();
      try {
        await local.register(imCallbacks, options as never);
      } finally {
        await local.close().catch(() => {});
      }
    };
    await expect(register({ sdkAppId: APP, token: TOKEN })).rejects.toThrow(
      /option path must be a string starting with '\/'/,
    );
    await expect(register({ sdkAppId: APP, token: TOKEN, path: 'im' })).rejects.toThrow(/option path/);
    await expect(register({ sdkAppId: APP, token: TOKEN, path: '/im', prefix: 'x' })).rejects.toThrow(/option prefix/);
    await expect(register({ sdkAppId: 'abc', token: TOKEN, path: '/im' })).rejects.toThrow(
      /sdkAppId must be a positive integer/,
    );
    await expect(register({ sdkAppId: APP, token: TOKEN, path: '/im', deadline: 5000 })).rejects.toThrow(
      /option deadline/,
    );
    await expect(register({ sdkAppId: APP, tokn: TOKEN, path: '/im' })).rejects.toThrow(
      /unknown option "tokn"; the options are token, requestTimeWindow, bodyLimit, .*path/,
    );
    await expect(register({ receiver: createReceiver({ sdkAppId: APP }), token: TOKEN, path: '/im' })).rejects.toThrow(
      /option token belongs to the receiver/,
    );
  });
});

describe('typing', () => {
  it('types app.imCallbacks.on per command, and the plugin options', async () => {
    const app = Fastify5();
    await app.register(imCallbacks, { sdkAppId: APP, path: '/im/callback', logger: silentLogger });
    app.imCallbacks.on(BEFORE, (event) => (event.payload.GroupId === 'x' ? reject() : undefined));
    const groupIds: string[] = [];
    const chained = app.imCallbacks
      .on(AFTER, (event) => {
        const time: number | undefined = event.payload.EventTime;
        groupIds.push(event.payload.GroupId, String(time));
      })
      .onError((error) => error.code);
    expect(chained).toBe(app.imCallbacks);
    // @ts-expect-error: not a command of the catalogue
    expect(() => app.imCallbacks.on('No.Such', () => {})).toThrow(/unknown command/);
    // @ts-expect-error: path is required
    const missing: Parameters<typeof imCallbacks>[1] = { sdkAppId: APP };
    expect(missing).toBeDefined();
    await app.close();
  });
});
