// A child process serving one HTTP server on Bun or Deno: `bun bench/bun.server.mjs <kind>` (or
// `deno run -A bench/bun.server.mjs <kind>`), answering the parent's calls as http.server.mjs does
// (`start` → { port }, `cpu`, `stats`).
//
// Kinds: `bun-fetch` (`deno-fetch`), the receiver's fetch handler served by `Bun.serve` (`Deno.serve`)
// as the README shows it (the built package, the token set, a handler registered); `bun-route`
// (`deno-route`), a handler doing the job by hand on the same `Request` (query, the SdkAppid +
// RequestTime + Sign checks, `text()` and `JSON.parse`, a `Response` with the JSON ack).
import { createReceiver, silentLogger } from '@im-callbacks/core';
import { ACK_TEXT, AFTER, APP, handCheck, serveParent, TOKEN } from './common.mjs';

const kind = process.argv[2].replace(/^deno-/, 'bun-');
const counts = { handled: 0, errors: 0, errorCodes: {} };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const fail = (status) =>
  new Response(JSON.stringify({ ActionStatus: 'FAIL', ErrorInfo: `refused (${status})`, ErrorCode: 1 }), {
    status,
    headers: JSON_TYPE,
  });

const handlers = {
  'bun-fetch'() {
    const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
    receiver.on(AFTER, () => {
      counts.handled++;
    });
    receiver.onError((error) => {
      counts.errors++;
      counts.errorCodes[error.code] = (counts.errorCodes[error.code] ?? 0) + 1;
    });
    return receiver.fetch;
  },
  'bun-route'() {
    return async (request) => {
      const url = request.url;
      const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
      const status = handCheck(query.get('SdkAppid'), query.get('RequestTime'), query.get('Sign'));
      if (status !== 0) return fail(status);
      try {
        JSON.parse(await request.text());
      } catch {
        return fail(400);
      }
      if (query.get('CallbackCommand') === AFTER) counts.handled++;
      return new Response(ACK_TEXT, { status: 200, headers: JSON_TYPE });
    };
  },
};

// Exits on SIGTERM and when the parent goes (the IPC channel's disconnect).
process.on('SIGTERM', () => process.exit(0));

serveParent({
  start() {
    if (typeof Bun !== 'undefined') {
      const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handlers[kind]() });
      return { port: server.port };
    }
    return new Promise((resolve) => {
      Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => resolve({ port }) }, handlers[kind]());
    });
  },
  cpu() {
    const { user, system } = process.cpuUsage();
    return { us: user + system };
  },
  stats() {
    return { ...counts, unique: 0, rss: process.memoryUsage.rss() };
  },
});
