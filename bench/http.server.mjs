// A child process serving one HTTP server: `node bench/http.server.mjs <kind> [options JSON]`.
// The parent calls `start` (→ { port }), `cpu` (→ CPU µs used so far) and `stats` (→ what the
// handlers counted).
//
// Kinds: the adapters as an application uses them (built packages, token set, a handler registered
// so every request is verified and dispatched), and the hand-written servers they are compared with
// (the framework's usual body parser, the same SdkAppid + RequestTime + Sign checks, the JSON ack).
//
// Options: { handler: 'sync' | 'hang' | 'slow', deadline, backlog, timing }
//   sync: the handlers count and return at once (allow for a before-callback);
//   hang: a before-callback's handler never settles (the receiver's deadline answers);
//   slow: an after-callback's handler takes 100 ms, then records the body's MsgSeq as delivered.
// With `timing: command`, `stats` also answers the server-side answer times (p50, p99, max) of
// that command's requests.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { allow, createReceiver, silentLogger } from '@im-callbacks/core';
import { imCallbacks as expressCallbacks } from '@im-callbacks/express';
import { imCallbacks as fastifyCallbacks } from '@im-callbacks/fastify';
import { imCallbacks as koaCallbacks } from '@im-callbacks/koa';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify5';
import { Hono } from 'hono';
import Koa from 'koa3';
import { ACK, ACK_TEXT, AFTER, APP, BEFORE, handCheck, PATH, percentile, serveParent, TOKEN } from './common.mjs';

const kind = process.argv[2];
const options = JSON.parse(process.argv[3] ?? '{}');
const mode = options.handler ?? 'sync';
const BODY_LIMIT = 1024 * 1024;

const counts = { handled: 0, delivered: 0, duplicates: 0, errors: 0, errorCodes: {} };
const seen = new Set();

/** The handlers every adapter server registers. */
function register(target) {
  if (mode === 'sync') {
    target.on(AFTER, () => {
      counts.handled++;
    });
    target.on(BEFORE, () => {
      counts.handled++;
      return allow();
    });
  } else if (mode === 'hang') {
    target.on(BEFORE, () => {
      counts.handled++;
      return new Promise(() => {});
    });
  } else if (mode === 'slow') {
    target.on(AFTER, async (event) => {
      counts.handled++;
      await sleep(100);
      const id = event.payload.MsgSeq;
      if (seen.has(id)) counts.duplicates++;
      seen.add(id);
      counts.delivered++;
    });
  } else throw new Error(`unknown handler mode ${mode}`);
  target.onError((error) => {
    counts.errors++;
    counts.errorCodes[error.code] = (counts.errorCodes[error.code] ?? 0) + 1;
  });
}

const receiverOptions = {
  token: TOKEN,
  logger: silentLogger,
  ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
};

const FAIL = (status) => JSON.stringify({ ActionStatus: 'FAIL', ErrorInfo: `refused (${status})`, ErrorCode: 1 });
/** What a hand-written receiver does once the request passed its checks: dispatch by command. */
function handDispatch(command) {
  if (command === AFTER || command === BEFORE) counts.handled++;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** The hand-written job on a Web `Request`: query, checks, `text()` and `JSON.parse`, the ack. */
async function handFetch(request) {
  const url = request.url;
  const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
  const status = handCheck(query.get('SdkAppid'), query.get('RequestTime'), query.get('Sign'));
  if (status !== 0) return new Response(FAIL(status), { status, headers: JSON_TYPE });
  try {
    JSON.parse(await request.text());
  } catch {
    return new Response(FAIL(400), { status: 400, headers: JSON_TYPE });
  }
  handDispatch(query.get('CallbackCommand'));
  return new Response(ACK_TEXT, { status: 200, headers: JSON_TYPE });
}

/** A minimal `node:http` bridge to a fetch handler: a `Request` with the streamed body, the `Response` written back. */
function listenBridge(fetchHandler) {
  return listenNode(async (req, res) => {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Readable.toWeb(req);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers: req.headers,
      body,
      duplex: 'half',
    });
    const response = await fetchHandler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(await response.text());
  });
}

/** Hono's Node server on a free loopback port (its own server, as `@hono/node-server` sets it up). */
function listenHono(app) {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(server));
  });
}

async function listenNode(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: options.backlog }, resolve);
  });
  return server;
}

const servers = {
  // ---- Fastify
  async 'fastify-plugin'() {
    const app = Fastify();
    await app.register(fastifyCallbacks, { sdkAppId: APP, path: PATH, ...receiverOptions });
    register(app.imCallbacks);
    await app.listen({ port: 0, host: '127.0.0.1', backlog: options.backlog });
    return app.server;
  },
  async 'fastify-route'() {
    const app = Fastify();
    app.post(PATH, async (request, reply) => {
      const query = request.query;
      const status = handCheck(query.SdkAppid, query.RequestTime, query.Sign);
      if (status !== 0) return reply.code(status).send({ ActionStatus: 'FAIL', ErrorInfo: 'refused', ErrorCode: 1 });
      if (typeof request.body !== 'object' || request.body === null) return reply.code(400).send();
      handDispatch(query.CallbackCommand);
      return ACK;
    });
    await app.listen({ port: 0, host: '127.0.0.1', backlog: options.backlog });
    return app.server;
  },

  // ---- node:http by hand, and the fetch handler behind a minimal bridge
  'node-raw'() {
    const reply = (res, status, text) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': text.length });
      res.end(text);
    };
    return listenNode((req, res) => {
      const url = req.url;
      const mark = url.indexOf('?');
      if (req.method !== 'POST' || (mark === -1 ? url : url.slice(0, mark)) !== PATH) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const query = new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
      const status = handCheck(query.get('SdkAppid'), query.get('RequestTime'), query.get('Sign'));
      if (status !== 0) {
        res.setHeader('connection', 'close');
        reply(res, status, FAIL(status));
        return;
      }
      const chunks = [];
      let size = 0;
      req.on('data', (chunk) => {
        size += chunk.length;
        if (size > BODY_LIMIT) {
          res.setHeader('connection', 'close');
          reply(res, 413, FAIL(413));
          req.destroy();
        } else chunks.push(chunk);
      });
      req.on('end', () => {
        try {
          JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
        } catch {
          reply(res, 400, FAIL(400));
          return;
        }
        handDispatch(query.get('CallbackCommand'));
        reply(res, 200, ACK_TEXT);
      });
    });
  },
  // The deadline burst's floor: node:http by hand, each request answered `deadline` ms after its
  // headers by a plain setTimeout (no query, no body parsing, no checks): the least that answering
  // on time costs on this machine.
  'node-deadline'() {
    return listenNode((req, res) => {
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': ACK_TEXT.length });
        res.end(ACK_TEXT);
      }, options.deadline ?? 1500);
      req.resume();
      req.on('end', () => {
        counts.handled++;
      });
      req.on('error', () => clearTimeout(timer));
    });
  },
  // The load generator's ceiling: drains the body and answers, no parsing, no checks.
  'node-ack'() {
    return listenNode((req, res) => {
      req.resume();
      req.on('end', () => {
        counts.handled++;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': ACK_TEXT.length });
        res.end(ACK_TEXT);
      });
    });
  },
  'fetch-bridge'() {
    // As test/conformance/targets/fetch.ts: a Request with the streamed body, the Response written back.
    const receiver = createReceiver({ sdkAppId: APP, ...receiverOptions });
    register(receiver);
    return listenBridge(receiver.fetch);
  },

  // The same bridge doing the job by hand on the `Request`: its query, the checks, `text()` and
  // `JSON.parse`, a `Response` with the JSON ack.
  'fetch-bridge-hand'() {
    return listenBridge(handFetch);
  },

  // ---- Hono on @hono/node-server: the README's fetch quick start, and a route doing the job by hand
  'hono-fetch'() {
    const receiver = createReceiver({ sdkAppId: APP, ...receiverOptions });
    register(receiver);
    const app = new Hono();
    app.post(PATH, (c) => receiver.fetch(c.req.raw));
    return listenHono(app);
  },
  'hono-route'() {
    const app = new Hono();
    app.post(PATH, async (c) => {
      const query = c.req.query();
      const status = handCheck(query.SdkAppid, query.RequestTime, query.Sign);
      if (status !== 0) return c.json({ ActionStatus: 'FAIL', ErrorInfo: 'refused', ErrorCode: 1 }, status);
      try {
        JSON.parse(await c.req.text());
      } catch {
        return c.json({ ActionStatus: 'FAIL', ErrorInfo: 'bad JSON', ErrorCode: 1 }, 400);
      }
      handDispatch(query.CallbackCommand);
      return c.body(ACK_TEXT, 200, JSON_TYPE);
    });
    return listenHono(app);
  },

  // ---- Express 5
  'express-adapter'() {
    const app = express();
    const im = expressCallbacks(APP, receiverOptions);
    register(im);
    app.post(PATH, im);
    return listenNode(app);
  },
  'express-route'() {
    const app = express();
    app.post(PATH, express.json(), (req, res) => {
      const query = req.query;
      const status = handCheck(query.SdkAppid, query.RequestTime, query.Sign);
      if (status !== 0) return res.status(status).json({ ActionStatus: 'FAIL', ErrorInfo: 'refused', ErrorCode: 1 });
      if (typeof req.body !== 'object' || req.body === null) return res.status(400).end();
      handDispatch(query.CallbackCommand);
      return res.json(ACK);
    });
    return listenNode(app);
  },

  // ---- Koa 3 on @koa/router
  'koa-adapter'() {
    const app = new Koa();
    const router = new Router();
    const im = koaCallbacks(APP, receiverOptions);
    register(im);
    router.post(PATH, im);
    app.use(router.routes());
    return listenNode(app.callback());
  },
  'koa-route'() {
    const app = new Koa();
    const router = new Router();
    router.post(PATH, bodyParser(), (ctx) => {
      const query = ctx.query;
      const status = handCheck(query.SdkAppid, query.RequestTime, query.Sign);
      if (status !== 0) {
        ctx.status = status;
        ctx.body = { ActionStatus: 'FAIL', ErrorInfo: 'refused', ErrorCode: 1 };
        return;
      }
      if (typeof ctx.request.body !== 'object' || ctx.request.body === null) {
        ctx.status = 400;
        return;
      }
      handDispatch(query.CallbackCommand);
      ctx.body = ACK;
    });
    app.use(router.routes());
    return listenNode(app.callback());
  },
};

if (!(kind in servers)) throw new Error(`unknown server kind ${kind}; kinds: ${Object.keys(servers).join(', ')}`);

/** Server-side answer times of `command`'s requests: headers parsed → answer handed to the socket. */
const times = [];
function timeRequests(server, command) {
  const marker = `CallbackCommand=${encodeURIComponent(command)}`;
  server.prependListener('request', (req, res) => {
    if (!req.url.includes(marker)) return;
    const start = performance.now();
    res.once('finish', () => times.push(performance.now() - start));
  });
}

serveParent({
  async start() {
    const server = await servers[kind]();
    if (options.timing) timeRequests(server, options.timing);
    return { port: server.address().port };
  },
  /** CPU time this process has used (µs), for CPU per request over a round. */
  cpu() {
    const { user, system } = process.cpuUsage();
    return { us: user + system };
  },
  stats() {
    const sorted = times.sort((a, b) => a - b);
    const timing =
      sorted.length === 0
        ? undefined
        : { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
    return { ...counts, unique: seen.size, timing, rss: process.memoryUsage.rss() };
  },
});
