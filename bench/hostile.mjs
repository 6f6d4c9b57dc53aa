/**
 * What a hostile client costs each Node adapter (built packages; run `pnpm build` first, or
 * `pnpm bench:hostile`):
 *   - refused early: an unauthenticated client (bad Sign → 401) announces a 10 GB body and keeps
 *     writing 64 KiB chunks for up to 3 s. Reported: bytes the server read, whether the client got
 *     the status, and when the server closed the connection.
 *   - stalled body: a signed request announces 500 bytes, sends 100, then nothing. Reported: how long
 *     the server holds the socket (capped at 10 s) and what it answered.
 * Loopback only; every loop is bounded in time.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { imCallbacks as expressCallbacks } from '@im-callbacks/express';
import { imCallbacks as fastifyCallbacks } from '@im-callbacks/fastify';
import { imCallbacks as koaCallbacks, silentLogger } from '@im-callbacks/koa';
import { buildRequest, sample } from '@im-callbacks/testing';
import express from 'express5';
import Fastify from 'fastify5';
import Koa from 'koa3';

const APP = 1400000000;
const TOKEN = 'bench-token';
const AFTER = 'Group.CallbackAfterSendMsg';
const SEND_FOR_MS = 3000;
const STALL_CAP_MS = 10_000;
const options = { token: TOKEN, logger: silentLogger, bodyTimeout: undefined };

async function nodeServer(handler) {
  const server = http.createServer(handler);
  const sockets = new Set();
  server.on('connection', (socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { port: server.address().port, sockets, close };
}

const adapters = {
  async express() {
    const app = express();
    app.use(expressCallbacks(APP, { ...options, path: '/im' }));
    return nodeServer(app);
  },
  async koa() {
    const app = new Koa();
    app.use(koaCallbacks(APP, { ...options, path: '/im' }));
    return nodeServer(app.callback());
  },
  async fastify() {
    const app = Fastify();
    const sockets = new Set();
    app.server.on('connection', (socket) => sockets.add(socket));
    await app.register(fastifyCallbacks, { sdkAppId: APP, path: '/im', ...options });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: app.server.address().port, sockets, close: () => app.close() };
  },
};

const serverBytes = (sockets) => [...sockets].reduce((sum, socket) => sum + socket.bytesRead, 0);

/** A client that keeps sending after the refusal. */
function keepSending(port, query) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let response = '';
    let closedAt;
    let statusAt;
    let stop = false;
    socket.on('connect', () => {
      socket.write(`POST /im?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n`);
      const pump = () => {
        while (!stop && Date.now() - started < SEND_FOR_MS) {
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    socket.on('data', (data) => {
      response += data;
      statusAt ??= Date.now() - started;
    });
    const done = () => {
      if (stop) return;
      stop = true;
      closedAt ??= Date.now() - started;
      socket.destroy();
      resolve({ status: response.split('\r\n')[0] || '(none)', statusAt, closedAt });
    };
    socket.on('error', done);
    socket.on('close', done);
    setTimeout(done, SEND_FOR_MS + 200);
  });
}

/** A client that stalls mid-body; how long until the server answers or closes. */
function stall(port, query) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    socket.on('connect', () => {
      socket.write(`POST /im?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n${'{'.padEnd(100, ' ')}`);
    });
    socket.on('data', (data) => {
      response += data;
    });
    const done = (why) => {
      socket.destroy();
      resolve({ heldMs: Date.now() - started, status: response.split('\r\n')[0] || '(none)', why });
    };
    socket.on('close', () => done('closed by server'));
    socket.on('error', () => done('error'));
    setTimeout(() => done(`still open at ${STALL_CAP_MS} ms`), STALL_CAP_MS);
  });
}

const rows = [];
for (const [name, start] of Object.entries(adapters)) {
  const server = await start();
  const bad = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: 'wrong-token' }).query;
  const refused = await keepSending(server.port, bad);
  const read = serverBytes(server.sockets);
  const good = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN }).query;
  const stalled = await stall(server.port, good);
  rows.push({
    adapter: name,
    'refused: server read (MiB)': (read / 2 ** 20).toFixed(1),
    'refused: status': refused.status,
    'refused: closed at (ms)': refused.closedAt,
    'stalled: held (ms)': stalled.heldMs,
    'stalled: answer': stalled.status,
    'stalled: end': stalled.why,
  });
  await server.close();
}
console.table(rows);
process.exit(0);
