/**
 * Claiming at the root (`app.use(im)` without a path) reads the query the same way on Express 4/5
 * and Koa 2/3 as the pipeline does (`queryOf` + parsed parameter names): a percent-encoded or
 * lower-case `CallbackCommand` is a callback, a value that merely contains the word is not, and
 * nothing after `#` counts. Requests written on a raw socket, so the target goes out as given.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { imCallbacks as expressCallbacks } from '@im-callbacks/express';
import { imCallbacks as koaCallbacks, silentLogger } from '@im-callbacks/koa';
import { rawRequest } from '@im-callbacks/test-helpers';
import { buildRequest, sample } from '@im-callbacks/testing';
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

function expressRoot(express: typeof express5) {
  return async (): Promise<Root> => {
    const events: string[] = [];
    const app = express();
    app.use(expressCallbacks(APP, { logger: silentLogger }).onAny((event) => void events.push(event.command)));
    app.use((_req, res) => {
      res.status(404).type('text/plain').send('app');
    });
    const server = http.createServer(app);
    const port = await listen(server);
    return { port, events, close: () => new Promise((resolve) => server.close(() => resolve())) };
  };
}

function koaRoot(Koa: typeof Koa3) {
  return async (): Promise<Root> => {
    const events: string[] = [];
    const app = new Koa();
    app.use(koaCallbacks(APP, { logger: silentLogger }).onAny((event) => void events.push(event.command)));
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
