/**
 * Claiming at the root (`app.use(im)` without a path) reads the query the same way on Express 4/5
 * and Koa 2/3 as the pipeline does (`queryOf` + parsed parameter names): a percent-encoded or
 * lower-case `CallbackCommand` is a callback, a value that merely contains the word is not, and
 * nothing after `#` counts. With `options.path` the console's URL check (maybe no `CallbackCommand`) is
 * claimed at that path; without it, a check without `CallbackCommand` goes to the app. Requests
 * written on a raw socket, so the target goes out as given.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { imCallbacks as expressCallbacks } from '@im-callbacks/express';
import { imCallbacks as koaCallbacks, silentLogger } from '@im-callbacks/koa';
import { rawRequest } from '@im-callbacks/test-helpers';
import { buildRequest, sample, sign } from '@im-callbacks/testing';
import express4 from 'express4';
import express5 from 'express5';
import Koa2 from 'koa2';
import Koa3 from 'koa3';

const APP = 1400000000;
const AFTER = 'Group.CallbackAfterSendMsg';

interface Root {
  port: number;
  events: string[];
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** What the middleware is given besides the SDKAppID (the URL-check tests mount it with a path and a token). */
type MountOptions = { path?: string; token?: string };

function expressRoot(express: typeof express5) {
  return async (options: MountOptions = {}): Promise<Root> => {
    const events: string[] = [];
    const app = express();
    app.use(
      expressCallbacks(APP, { logger: silentLogger, ...options }).onAny((event) => void events.push(event.command)),
    );
    app.use((_req, res) => {
      res.status(404).type('text/plain').send('app');
    });
    const server = http.createServer(app);
    const port = await listen(server);
    return { port, events, close: () => new Promise((resolve) => server.close(() => resolve())) };
  };
}

function koaRoot(Koa: typeof Koa3) {
  return async (options: MountOptions = {}): Promise<Root> => {
    const events: string[] = [];
    const app = new Koa();
    app.use(koaCallbacks(APP, { logger: silentLogger, ...options }).onAny((event) => void events.push(event.command)));
    app.use((ctx) => {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'app';
    });
    const server = http.createServer(app.callback());
    const port = await listen(server);
    return { port, events, close: () => new Promise((resolve) => server.close(() => resolve())) };
  };
}

const body = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP }).body;

describe.each([
  ['express 4', expressRoot(express4 as unknown as typeof express5)],
  ['express 5', expressRoot(express5)],
  ['koa 2', koaRoot(Koa2 as unknown as typeof Koa3)],
  ['koa 3', koaRoot(Koa3)],
])('%s, mounted at the root', (_name, start) => {
  let root: Root;
  beforeEach(async () => {
    root = await start();
  });
  afterEach(() => root.close());

  test.each([
    ['the documented spelling', `/cb?SdkAppid=${APP}&CallbackCommand=${AFTER}`],
    ['a percent-encoded name', `/cb?SdkAppid=${APP}&Callback%43ommand=${AFTER}`],
    ['a lower-case name', `/any/path?sdkappid=${APP}&callbackcommand=${AFTER}`],
    ["Tencent's sorted order", `/?CallbackCommand=${AFTER}&ClientIP=1.2.3.4&OptPlatform=RESTAPI&SdkAppid=${APP}`],
  ])('claims %s', async (_case, target) => {
    const res = await rawRequest(root.port, 'POST', target, body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    expect(root.events).toEqual([AFTER]);
  });

  test.each([
    ['a value that contains the word', '/search?q=callbackcommand'],
    ['a name that merely starts with it', `/x?CallbackCommandX=${AFTER}`],
    ['the command after a # fragment', `/x?SdkAppid=${APP}#&CallbackCommand=${AFTER}`],
    ['no query', '/x'],
  ])('leaves %s to the app', async (_case, target) => {
    const res = await rawRequest(root.port, 'POST', target, body);
    expect([res.status, res.text]).toEqual([404, 'app']);
    expect(root.events).toEqual([]);
  });

  test('leaves a GET with a command to the app', async () => {
    const res = await rawRequest(root.port, 'GET', `/cb?SdkAppid=${APP}&CallbackCommand=${AFTER}`, '');
    expect(res.status).toBe(404);
  });
});

describe.each([
  ['express 4', expressRoot(express4 as unknown as typeof express5)],
  ['express 5', expressRoot(express5)],
  ['koa 2', koaRoot(Koa2 as unknown as typeof Koa3)],
  ['koa 3', koaRoot(Koa3)],
])("%s at the root: the console's URL check", (_name, start) => {
  const TOKEN = 'root-claim-token';
  const signed = () => {
    const time = Math.floor(Date.now() / 1000);
    return `RequestTime=${time}&Sign=${sign(TOKEN, time)}`;
  };
  let root: Root | undefined;
  afterEach(() => root?.close());

  test.each([
    ['no SdkAppid, no CallbackCommand, no body', () => `/im/callback?${signed()}`, ''],
    ['SdkAppid, no CallbackCommand, {}', () => `/im/callback?SdkAppid=${APP}&${signed()}`, '{}'],
    [
      'SdkAppid and CallbackCommand, empty body',
      () => `/im/callback?SdkAppid=${APP}&CallbackCommand=${AFTER}&${signed()}`,
      '',
    ],
  ])('with options.path, claimed and answered OK: %s', async (_case, target, text) => {
    root = await start({ path: '/im/callback', token: TOKEN });
    const res = await rawRequest(root.port, 'POST', target(), text);
    expect([res.status, JSON.parse(res.text)]).toEqual([200, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }]);
    expect(root.events).toEqual([]);
    // Elsewhere, the same request is the app's.
    const other = await rawRequest(root.port, 'POST', target().replace('/im/callback', '/other'), text);
    expect([other.status, other.text]).toEqual([404, 'app']);
  });

  test('without options.path, a check without CallbackCommand is never seen (the app answers); one with it is', async () => {
    root = await start({ token: TOKEN });
    const unseen = await rawRequest(root.port, 'POST', `/im/callback?SdkAppid=${APP}&${signed()}`, '');
    expect([unseen.status, unseen.text]).toEqual([404, 'app']);
    const seen = await rawRequest(
      root.port,
      'POST',
      `/im/callback?SdkAppid=${APP}&CallbackCommand=${AFTER}&${signed()}`,
      '',
    );
    expect(seen.status).toBe(200);
    expect(root.events).toEqual([]);
  });
});
