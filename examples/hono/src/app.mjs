// A small real Hono app: logs each typed event and moderates group messages before they are sent.
// (The moderation policy and the log lines are shared by every example: examples/shared.)
// The core's Web-standard handler, `receiver.fetch(Request)`, mounted on a Hono route.

import { serve } from '@hono/node-server';
import { createReceiver } from '@im-callbacks/core';
import { registerHandlers } from '@im-callbacks/example-shared';
import { Hono } from 'hono';

/** The app, and the receiver behind its callback route (tests run its handlers in-process: `invoke(receiver, ...)`). */
export function createApp({ sdkAppId, token, log = console.log }) {
  const app = new Hono();
  const receiver = createReceiver({ sdkAppId, token });
  registerHandlers(receiver, log);

  app.post('/im/callback', (c) => receiver.fetch(c.req.raw));
  app.get('/healthz', (c) => c.json({ ok: true }));
  return { app, receiver };
}

/** Starts the app on `port` (0: any free port); resolves once it listens with its URL, `close` and the receiver. */
export function start({ port = 0, host = '127.0.0.1', ...options }) {
  const { app, receiver } = createApp(options);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      resolve({
        url: `http://${host}:${info.port}/im/callback`,
        close: () => new Promise((done) => server.close(() => done())),
        receiver,
      });
    });
    server.on('error', reject);
  });
}
