/**
 * Koa-specific behaviour (the shared protocol behaviour, the status table and decisions included, is
 * in test/conformance, whose Koa targets mount the middleware on a @koa/router route): one receiver
 * behind several mounts, what a router route and app.use claim, the path option, Koa body parsers
 * (@koa/bodyparser, koa-bodyparser, koa-body) in front, and options validation.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createReceiver, imCallbacks, reject, silentLogger } from '@im-callbacks/koa';
import { sample, send } from '@im-callbacks/testing';
import bodyParser from '@koa/bodyparser';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import koaBodyParser from 'koa-bodyparser';
import Koa2 from 'koa2';
import Koa3 from 'koa3';

const APP = 1400000000;
const TOKEN = 'koa-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
type KoaApp = Koa3;
type Use = Parameters<KoaApp['use']>[0];

async function listen(app: KoaApp): Promise<{ base: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fallback route answering 'other', so pass-through is visible. */
function other(ctx: Parameters<Use>[0]): void {
  ctx.status = 200;
  ctx.body = `other ${ctx.method}`;
}

const majors = [
  ['koa 2', Koa2 as unknown as typeof Koa3],
  ['koa 3', Koa3],
] as const;

describe.each(majors)('%s', (_name, Koa) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function start(setup: (app: KoaApp) => void): Promise<string> {
    const app = new Koa();
    setup(app);
    const running = await listen(app);
    close = running.close;
    return running.base;
  }

  it('imCallbacks(receiver): one receiver behind a route and a root mount', async () => {
    const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
    const seen: string[] = [];
    receiver.on('Group.CallbackAfterSendMsg', (event) => void seen.push(event.command));
    const base = await start((app) => {
      const router = new Router();
      router.post('/im/callback', imCallbacks(receiver));
      app.use(router.routes());
      app.use(imCallbacks(receiver, { path: '/other/callback' }));
    });
    const sample1 = sample('Group.CallbackAfterSendMsg');
    expect(
      (await send(`${base}/im/callback`, 'Group.CallbackAfterSendMsg', sample1, { sdkAppId: APP, token: TOKEN })).reply,
    ).toEqual(OK);
    expect(
      (await send(`${base}/other/callback`, 'Group.CallbackAfterSendMsg', sample1, { sdkAppId: APP, token: TOKEN }))
        .reply,
    ).toEqual(OK);
    expect(seen).toEqual(['Group.CallbackAfterSendMsg', 'Group.CallbackAfterSendMsg']);
  });

  it('on a router route, claims a POST without CallbackCommand (an event: 400; no event: the URL check, 200); a router.use mount does not', async () => {
    const routed = imCallbacks(APP, { logger: silentLogger });
    const used = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
    const router = new Router();
    router.post('/im/callback', routed);
    router.use(used);
    router.post('/other', other);
    const base = await start((app) => app.use(router.routes()));
    const missing = await fetch(`${base}/im/callback?SdkAppid=${APP}`, {
      method: 'POST',
      body: JSON.stringify(sample('Group.CallbackAfterSendMsg')),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      ActionStatus: 'FAIL',
      ErrorInfo: expect.stringMatching(/^COMMAND_MISSING/),
    });
    const check = await fetch(`${base}/im/callback?SdkAppid=${APP}`, { method: 'POST', body: '{}' });
    expect([check.status, await check.json()]).toEqual([200, OK]);
    expect(await (await fetch(`${base}/other`, { method: 'POST', body: 'x' })).text()).toBe('other POST');
  });

  it('with app.use, claims only callback requests and passes the rest on', async () => {
    const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
    const base = await start((app) => app.use(im).use(other));
    expect(await (await fetch(`${base}/other`)).text()).toBe('other GET');
    expect(await (await fetch(`${base}/other`, { method: 'POST', body: 'x' })).text()).toBe('other POST');
    expect(await (await fetch(`${base}/im/callback?CallbackCommand=x`)).text()).toBe('other GET');
    const claimed = await send(`${base}/anywhere`, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
      sdkAppId: APP,
      token: TOKEN,
    });
    expect(claimed.reply).toEqual(OK);
  });

  it('with a path, claims only that path', async () => {
    const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger, path: '/im/callback' });
    const base = await start((app) => app.use(im).use(other));
    const elsewhere = await send(
      `${base}/elsewhere`,
      'Group.CallbackAfterSendMsg',
      {},
      { sdkAppId: APP, token: TOKEN },
    );
    expect(elsewhere.text).toBe('other POST');
    const here = await send(`${base}/im/callback`, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
      sdkAppId: APP,
      token: TOKEN,
    });
    expect(here.reply).toEqual(OK);
  });

  const parsers: [string, () => Use][] = [
    ['@koa/bodyparser', () => bodyParser({ enableTypes: ['json', 'form', 'text'] }) as unknown as Use],
    ['koa-bodyparser', () => koaBodyParser({ enableTypes: ['json', 'form', 'text'] }) as unknown as Use],
    ['koa-body', () => koaBody({ text: true, json: true }) as unknown as Use],
    ['koa-body (includeUnparsed)', () => koaBody({ text: true, json: true, includeUnparsed: true }) as unknown as Use],
  ];
  const contentTypes: [string, Record<string, string>][] = [
    ['no Content-Type', {}],
    ['application/json', { 'content-type': 'application/json' }],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/octet-stream', { 'content-type': 'application/octet-stream' }],
  ];
  describe.each(parsers)('after %s', (_parser, parser) => {
    it.each(contentTypes)('reads the body sent with %s', async (_type, headers) => {
      const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
      const groups: string[] = [];
      im.on('Group.CallbackBeforeSendMsg', (event) => {
        groups.push(event.payload.GroupId);
        return reject();
      });
      const router = new Router();
      router.post('/im/callback', im);
      const base = await start((app) => app.use(parser()).use(router.routes()));
      const payload = sample('Group.CallbackBeforeSendMsg');
      const result = await send(`${base}/im/callback`, 'Group.CallbackBeforeSendMsg', payload, {
        sdkAppId: APP,
        token: TOKEN,
        headers,
      });
      expect(result.status).toBe(200);
      expect(result.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 1 });
      expect(groups).toEqual([payload.GroupId]);
    });
  });
});

describe('options', () => {
  it('are validated when the middleware is created', () => {
    expect(() => imCallbacks(APP, { path: 'im/callback' })).toThrow(/option path must be a string starting with '\/'/);
    expect(() => imCallbacks('not-an-id', { token: TOKEN })).toThrow(/sdkAppId must be a positive integer/);
    expect(() => imCallbacks(APP, { token: TOKEN, bodyLimit: -1 })).toThrow(/option bodyLimit/);
    expect(() => imCallbacks(APP, { token: '' })).toThrow(/token must be a non-empty string/);
    expect(() => imCallbacks(APP, null as never)).toThrow(/options must be an object/);
    expect(() => imCallbacks(APP, { tokn: TOKEN } as never)).toThrow(
      /unknown option "tokn"; the options are token, .*, path/,
    );
    expect(() =>
      imCallbacks(createReceiver({ sdkAppId: APP, logger: silentLogger }), { deadline: 100 } as never),
    ).toThrow(/option deadline belongs to the receiver/);
  });

  it('carries on/onAny/onError, chaining, and the receiver', () => {
    const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
    expect(
      im
        .on('Group.CallbackAfterSendMsg', () => {})
        .onAny(() => {})
        .onError(() => {}),
    ).toBe(im);
    expect(im.receiver.options.tokens).toEqual([TOKEN]);
    // @ts-expect-error: not a command of the catalogue
    expect(() => im.on('No.Such', () => {})).toThrow(/unknown command/);
  });
});
