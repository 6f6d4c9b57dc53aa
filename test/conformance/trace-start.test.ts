/**
 * Every adapter enters the receiver through its one entry as soon as a request's headers are in:
 * the callback's trace (the `im-callbacks:callback` tracing channel, so the OpenTelemetry span)
 * starts before its body has arrived, on every conformance target.
 */
import * as diagnostics from 'node:diagnostics_channel';
import net from 'node:net';
import { CALLBACK_CHANNEL, type CallbackTraceContext, silentLogger } from '@im-callbacks/core';
import { buildRequest, sample } from '@im-callbacks/testing';
import { AFTER, APP } from './apps';
import { targets } from './targets';

const TOKEN = 'trace-start-token';

/** Resolves once `ready()` holds, polling; rejects after `ms`. */
async function until(ready: () => boolean, ms = 2000): Promise<void> {
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(targets.map((target) => [target.name, target] as const))('%s', (_name, target) => {
  test('the trace starts when the headers are in, before the body has arrived', async () => {
    const events: { name: string; context: CallbackTraceContext }[] = [];
    const channel = diagnostics.tracingChannel(CALLBACK_CHANNEL);
    const record = (name: string) => (context: unknown) =>
      events.push({ name, context: context as CallbackTraceContext });
    const handlers = {
      start: record('start'),
      end: record('end'),
      asyncStart: record('asyncStart'),
      asyncEnd: record('asyncEnd'),
      error: record('error'),
    };
    channel.subscribe(handlers);
    const app = await target.start({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
    try {
      const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
      const url = new URL(app.url);
      const socket = net.connect(Number(url.port), '127.0.0.1');
      let response = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => {
        response += chunk;
      });
      await new Promise((resolve) => socket.once('connect', resolve));
      const body = Buffer.from(built.body);
      socket.write(
        `POST ${url.pathname}?${built.query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body.subarray(0, 10));
      // Headers and 10 bytes are in: the callback is traced already (its synchronous part over,
      // as the tracing channel's convention has it), and not answered.
      await until(() => events.some((event) => event.name === 'end'));
      expect(events.map((event) => event.name)).toEqual(['start', 'end']);
      expect(events[0]?.context.status).toBeUndefined();
      expect(response).toBe('');
      socket.end(body.subarray(10));
      await until(() => response.includes('\r\n\r\n') && events.some((event) => event.name === 'asyncEnd'));
      expect(response).toMatch(/^HTTP\/1\.1 200/);
      expect(events.at(-1)?.context).toMatchObject({ command: AFTER, status: 200, kind: 'after' });
      socket.destroy();
    } finally {
      channel.unsubscribe(handlers);
      await app.close();
    }
  });
});
