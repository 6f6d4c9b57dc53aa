/**
 * `instrumentImCallbacks` with the OpenTelemetry SDK, over real HTTP on Express, Koa and Fastify: the
 * spans (InMemorySpanExporter), their parent (the HTTP server span of
 * `@opentelemetry/instrumentation-http`, through the AsyncLocalStorage context manager) and the
 * metrics (a MetricReader collected on demand), for accepted, refused (401, 403, 400), fallen-back
 * (handler timeout, handler throwing) and failed (after-callback handler throwing) callbacks.
 */
import * as diagnostics from 'node:diagnostics_channel';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLBACK_CHANNEL, type CallbackReceiver, createReceiver, reject, silentLogger } from '@im-callbacks/core';
import { imCallbacks as expressCallbacks } from '@im-callbacks/express';
import { imCallbacks as fastifyCallbacks } from '@im-callbacks/fastify';
import { imCallbacks as koaCallbacks } from '@im-callbacks/koa';
import {
  ATTRIBUTES,
  type ImCallbacksInstrumentation,
  instrumentImCallbacks,
  METRICS,
} from '@im-callbacks/opentelemetry';
import { sample, send, sign } from '@im-callbacks/testing';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import express5 from 'express5';
import Fastify5 from 'fastify5';
import Koa3 from 'koa3';

const APP = 1400000000;
const TOKEN = 'otel-token';
const AFTER = 'Group.CallbackAfterSendMsg';
const BEFORE = 'Group.CallbackBeforeSendMsg';
const DEADLINE = 100;

// The context manager, then the real HTTP instrumentation: node:http's server gets a SERVER span per
// request, made active for the request's handlers (Express's and Fastify's servers included).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spanExporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
const httpInstrumentation = new HttpInstrumentation();
httpInstrumentation.setTracerProvider(tracerProvider);
httpInstrumentation.enable();
// `enable()` patches node:http when it is required through Node's loader (require-in-the-middle);
// jest's module registry bypasses that hook, so its module definitions patch the module here, in
// place (examples/express/test runs the instrumentation the ordinary way, in a plain Node process).
for (const definition of (httpInstrumentation as unknown as { _modules: ModuleDefinition[] })._modules) {
  definition.moduleExports = require(definition.name);
  definition.patch?.(definition.moduleExports);
}
interface ModuleDefinition {
  name: string;
  moduleExports?: unknown;
  patch?: (exports: unknown) => unknown;
}

/** Collects on demand: `collect()` returns every metric recorded so far. */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let reader: TestReader;
let instrumentation: ImCallbacksInstrumentation;
beforeEach(() => {
  spanExporter.reset();
  reader = new TestReader();
  instrumentation = instrumentImCallbacks({ tracerProvider, meterProvider: new MeterProvider({ readers: [reader] }) });
});
afterEach(() => instrumentation.disable());
afterAll(() => httpInstrumentation.disable());

/** The handlers every framework's receiver runs; `From_Account` picks the behaviour. */
function callbackReceiver(): CallbackReceiver {
  const receiver = createReceiver({ sdkAppId: APP, token: TOKEN, logger: silentLogger, deadline: DEADLINE });
  receiver.on(AFTER, (event) => {
    if (event.payload.From_Account === 'crash') throw new Error('after handler failed');
  });
  receiver.on(BEFORE, async (event) => {
    const from = event.payload.From_Account;
    if (from === 'crash') throw new Error('before handler failed');
    if (from === 'slow') await new Promise((resolve) => setTimeout(resolve, DEADLINE * 3));
    return from === 'spammer' ? reject(10100, 'spam') : undefined;
  });
  return receiver;
}

interface Target {
  url: string;
  close(): Promise<void>;
}

/** Serves a Node request listener on a free loopback port; `base` is its origin, `url` the callback route. */
async function serveNode(listener: RequestListener): Promise<Target & { base: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: `${base}/im/callback`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const frameworks: [string, () => Promise<Target>][] = [
  [
    'Express',
    async () => {
      const app = express5();
      app.post('/im/callback', expressCallbacks(callbackReceiver()));
      return serveNode(app);
    },
  ],
  [
    'Koa',
    async () => {
      const app = new Koa3();
      app.use(koaCallbacks(callbackReceiver(), { path: '/im/callback' }));
      return serveNode(app.callback());
    },
  ],
  [
    'Fastify',
    async () => {
      const app = Fastify5();
      await app.register(fastifyCallbacks, { receiver: callbackReceiver(), path: '/im/callback' });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url: `${address}/im/callback`, close: () => app.close() };
    },
  ],
];

function payload(command: typeof AFTER | typeof BEFORE, from: string): object {
  return { ...sample(command), From_Account: from };
}

/** Waits until the callback span and its HTTP server span have ended (the server span ends after the response). */
async function callbackSpan(): Promise<{ span: ReadableSpan; server: ReadableSpan | undefined }> {
  for (let i = 0; i < 100; i++) {
    const spans = spanExporter.getFinishedSpans();
    const span = spans.find((s) => s.name.startsWith('im-callback'));
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    if (span !== undefined && server !== undefined) return { span, server };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const spans = spanExporter.getFinishedSpans();
  throw new Error(`no callback span and server span; finished: ${spans.map((s) => s.name).join(', ')}`);
}

async function metric(name: string): Promise<MetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
}

async function points(name: string): Promise<DataPoint<unknown>[]> {
  return ((await metric(name))?.dataPoints ?? []) as DataPoint<unknown>[];
}

describe.each(frameworks)('%s', (_name, serve) => {
  let target: Target;
  beforeAll(async () => {
    target = await serve();
  });
  afterAll(() => target.close());

  test('accepted after-callback: a span under the HTTP server span, counted, its handler timed', async () => {
    const response = await send(target.url, AFTER, payload(AFTER, 'alice'), { sdkAppId: APP, token: TOKEN });
    expect(response.status).toBe(200);
    const { span, server } = await callbackSpan();
    expect(span.name).toBe(`im-callback ${AFTER}`);
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(server?.spanContext().traceId);
    expect(span.attributes).toMatchObject({
      [ATTRIBUTES.COMMAND]: AFTER,
      [ATTRIBUTES.KIND]: 'after',
      [ATTRIBUTES.STATUS]: 200,
      [ATTRIBUTES.SDK_APP_ID]: APP,
    });
    expect(span.attributes[ATTRIBUTES.ERROR_CODE]).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(await points(METRICS.CALLBACKS)).toEqual([
      expect.objectContaining({
        attributes: { [ATTRIBUTES.COMMAND]: AFTER, [ATTRIBUTES.KIND]: 'after', [ATTRIBUTES.STATUS]: 200 },
        value: 1,
      }),
    ]);
    const [duration] = await points(METRICS.HANDLER_DURATION);
    expect((duration?.value as Histogram | undefined)?.count).toBe(1);
    expect(await points(METRICS.FALLBACKS)).toEqual([]);
  });

  test('accepted before-callback: the decision on the span and the counter', async () => {
    const response = await send(target.url, BEFORE, payload(BEFORE, 'spammer'), { sdkAppId: APP, token: TOKEN });
    expect(response.reply).toMatchObject({ ErrorCode: 10100 });
    const { span } = await callbackSpan();
    expect(span.attributes).toMatchObject({ [ATTRIBUTES.KIND]: 'before', [ATTRIBUTES.DECISION]: 'reject' });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(await points(METRICS.CALLBACKS)).toEqual([
      expect.objectContaining({
        attributes: {
          [ATTRIBUTES.COMMAND]: BEFORE,
          [ATTRIBUTES.KIND]: 'before',
          [ATTRIBUTES.STATUS]: 200,
          [ATTRIBUTES.DECISION]: 'reject',
        },
        value: 1,
      }),
    ]);
  });

  test.each([
    [401, 'SIGN_INVALID', { sdkAppId: APP, token: 'not-the-token' }, undefined],
    [403, 'SDKAPPID_MISMATCH', { sdkAppId: 1400000001, token: TOKEN }, undefined],
    [400, 'BODY_INVALID_JSON', { sdkAppId: APP, token: TOKEN }, '{"GroupId":'],
  ])(
    'refused %i %s: span status ERROR with the code, counted by status and code',
    async (status, code, options, body) => {
      const response = await send(target.url, AFTER, body ?? payload(AFTER, 'alice'), options);
      expect(response.status).toBe(status);
      const { span, server } = await callbackSpan();
      expect(span.name).toBe(`im-callback ${AFTER}`);
      expect(span.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
      expect(span.status).toEqual({
        code: SpanStatusCode.ERROR,
        message: expect.stringMatching(new RegExp(`^${code}: `)),
      });
      expect(span.attributes).toMatchObject({ [ATTRIBUTES.STATUS]: status, [ATTRIBUTES.ERROR_CODE]: code });
      expect(span.attributes[ATTRIBUTES.KIND]).toBeUndefined();
      expect(await points(METRICS.CALLBACKS)).toEqual([
        expect.objectContaining({
          attributes: { [ATTRIBUTES.COMMAND]: AFTER, [ATTRIBUTES.STATUS]: status, [ATTRIBUTES.ERROR_CODE]: code },
          value: 1,
        }),
      ]);
      expect(await points(METRICS.HANDLER_DURATION)).toEqual([]);
    },
  );

  test("the IM console's URL check: kind check, 200, counted, no handler timed", async () => {
    const time = Math.floor(Date.now() / 1000);
    const response = await fetch(`${target.url}?RequestTime=${time}&Sign=${sign(TOKEN, time)}`, { method: 'POST' });
    expect([response.status, await response.json()]).toEqual([
      200,
      { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 },
    ]);
    const { span } = await callbackSpan();
    expect(span.name).toBe('im-callback check');
    expect(span.attributes).toMatchObject({ [ATTRIBUTES.KIND]: 'check', [ATTRIBUTES.STATUS]: 200 });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(await points(METRICS.CALLBACKS)).toEqual([
      expect.objectContaining({
        attributes: { [ATTRIBUTES.COMMAND]: '_OTHER', [ATTRIBUTES.KIND]: 'check', [ATTRIBUTES.STATUS]: 200 },
        value: 1,
      }),
    ]);
    expect(await points(METRICS.HANDLER_DURATION)).toEqual([]);
  });

  test('refused with a command nobody knows: the metric and the span name say _OTHER, the attribute the command', async () => {
    const response = await send(target.url, 'Made.Up', '{}', { sdkAppId: APP, token: 'not-the-token' });
    expect(response.status).toBe(401);
    const { span } = await callbackSpan();
    expect(span.name).toBe('im-callback _OTHER');
    expect(span.attributes[ATTRIBUTES.COMMAND]).toBe('Made.Up');
    const [point] = await points(METRICS.CALLBACKS);
    expect(point?.attributes[ATTRIBUTES.COMMAND]).toBe('_OTHER');
  });

  test('fallen back (handler timeout): decision fallback, HANDLER_TIMEOUT, the fallbacks counter, the duration past the deadline', async () => {
    const response = await send(target.url, BEFORE, payload(BEFORE, 'slow'), { sdkAppId: APP, token: TOKEN });
    expect([response.status, response.reply]).toEqual([200, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }]);
    const { span, server } = await callbackSpan();
    expect(span.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(span.attributes).toMatchObject({
      [ATTRIBUTES.DECISION]: 'fallback',
      [ATTRIBUTES.ERROR_CODE]: 'HANDLER_TIMEOUT',
      [ATTRIBUTES.STATUS]: 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(await points(METRICS.FALLBACKS)).toEqual([
      expect.objectContaining({
        attributes: { [ATTRIBUTES.COMMAND]: BEFORE, [ATTRIBUTES.ERROR_CODE]: 'HANDLER_TIMEOUT' },
        value: 1,
      }),
    ]);
    const [duration] = await points(METRICS.HANDLER_DURATION);
    // The deadline counts from the request's arrival, so the handlers had it less what came before
    // them (the query, the body): up to a few ms on a busy machine.
    expect((duration?.value as Histogram | undefined)?.sum).toBeGreaterThanOrEqual((DEADLINE - 20) / 1000);
  });

  test('fallen back (before-callback handler throwing): the fallbacks counter says HANDLER_FAILED', async () => {
    const response = await send(target.url, BEFORE, payload(BEFORE, 'crash'), { sdkAppId: APP, token: TOKEN });
    expect(response.status).toBe(200);
    const { span } = await callbackSpan();
    expect(span.attributes).toMatchObject({
      [ATTRIBUTES.DECISION]: 'fallback',
      [ATTRIBUTES.ERROR_CODE]: 'HANDLER_FAILED',
    });
    expect(await points(METRICS.FALLBACKS)).toEqual([
      expect.objectContaining({
        attributes: { [ATTRIBUTES.COMMAND]: BEFORE, [ATTRIBUTES.ERROR_CODE]: 'HANDLER_FAILED' },
        value: 1,
      }),
    ]);
  });

  test('failed (after-callback handler throwing): 500, span status ERROR, HANDLER_FAILED', async () => {
    const response = await send(target.url, AFTER, payload(AFTER, 'crash'), { sdkAppId: APP, token: TOKEN });
    expect(response.status).toBe(500);
    const { span } = await callbackSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ [ATTRIBUTES.STATUS]: 500, [ATTRIBUTES.ERROR_CODE]: 'HANDLER_FAILED' });
    expect(await points(METRICS.CALLBACKS)).toEqual([
      expect.objectContaining({
        attributes: {
          [ATTRIBUTES.COMMAND]: AFTER,
          [ATTRIBUTES.KIND]: 'after',
          [ATTRIBUTES.STATUS]: 500,
          [ATTRIBUTES.ERROR_CODE]: 'HANDLER_FAILED',
        },
        value: 1,
      }),
    ]);
    expect(await points(METRICS.FALLBACKS)).toEqual([]);
  });

  test('disable(): no span and no metric any more', async () => {
    instrumentation.disable();
    const response = await send(target.url, AFTER, payload(AFTER, 'alice'), { sdkAppId: APP, token: TOKEN });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spanExporter.getFinishedSpans().filter((s) => s.name.startsWith('im-callback'))).toEqual([]);
    expect(await points(METRICS.CALLBACKS)).toEqual([]);
  });
});

describe('options', () => {
  test.each([
    ['not an object', 'x', /options must be an object/],
    ['an unknown option', { tracer: {} }, /unknown option "tracer"; the options are tracerProvider, meterProvider/],
    ['a tracer provider without getTracer', { tracerProvider: {} }, /tracerProvider must have a getTracer\(\) method/],
    ['a meter provider without getMeter', { meterProvider: 1 }, /meterProvider must have a getMeter\(\) method/],
    ['traces not a boolean', { traces: 'yes' }, /option traces must be true or false/],
  ])('%s: a TypeError saying so, nothing subscribed', (_name, options, message) => {
    instrumentation.disable();
    expect(() => instrumentImCallbacks(options as never)).toThrow(TypeError);
    expect(() => instrumentImCallbacks(options as never)).toThrow(message);
    expect(diagnostics.tracingChannel(CALLBACK_CHANNEL).start.hasSubscribers).toBe(false);
  });
});

describe('defaults', () => {
  test('without providers: the global tracer provider', async () => {
    instrumentation.disable();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    const global = instrumentImCallbacks({ metrics: false });
    try {
      const receiver = callbackReceiver();
      const built = await receiver.dispatch(AFTER, payload(AFTER, 'alice'));
      expect(built.status).toBe(200);
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([`im-callback ${AFTER}`]);
    } finally {
      global.disable();
      trace.disable();
    }
  });
});

describe('Prometheus', () => {
  test('the metrics in the Prometheus text format, on the app’s own /metrics route', async () => {
    instrumentation.disable();
    const prometheus = new PrometheusExporter({ preventServerStart: true });
    const own = instrumentImCallbacks({ tracerProvider, meterProvider: new MeterProvider({ readers: [prometheus] }) });
    const app = express5();
    app.get('/metrics', (req, res) => prometheus.getMetricsRequestHandler(req, res));
    app.post('/im/callback', expressCallbacks(callbackReceiver()));
    const { base, url, close } = await serveNode(app);
    try {
      const options = { sdkAppId: APP, token: TOKEN };
      expect((await send(url, AFTER, payload(AFTER, 'alice'), options)).status).toBe(200);
      expect((await send(url, BEFORE, payload(BEFORE, 'slow'), options)).status).toBe(200);
      const text = await (await fetch(`${base}/metrics`)).text();
      const SCOPE = 'otel_scope_name="@im-callbacks/opentelemetry"';
      expect(text).toContain(
        `im_callbacks_callbacks_total{im_callbacks_command="${AFTER}",im_callbacks_kind="after",http_response_status_code="200",${SCOPE}} 1`,
      );
      expect(text).toContain(
        `im_callbacks_fallbacks_total{im_callbacks_command="${BEFORE}",im_callbacks_error_code="HANDLER_TIMEOUT",${SCOPE}} 1`,
      );
      expect(text).toMatch(
        /^im_callbacks_handler_duration_count\{[^}]*im_callbacks_error_code="HANDLER_TIMEOUT"[^}]*\} 1$/m,
      );
    } finally {
      own.disable();
      await prometheus.shutdown();
      await close();
    }
  });
});
