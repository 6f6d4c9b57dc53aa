// A side of the diagnostics comparison with a subscriber on the `im-callbacks:callback` tracing
// channel, in a child process of its own: `node bench/diagnostics.worker.mjs <noop|otel>`. It sets
// up the subscriber, then runs core.worker.mjs's `pipeline` side unchanged (same receiver, same
// handler, same rounds), so the only difference from that side is the subscriber.
//   noop: a subscriber whose five handlers do nothing (the cost of publishing a trace);
//   inspector: @im-callbacks/inspector with its defaults (200 records in memory, no file): the
//         records it builds on the next turn of the event loop are built inside the measured time;
//   otel: @im-callbacks/opentelemetry with the OpenTelemetry SDK as an app would run it: the
//         AsyncLocalStorage context manager, a tracer provider exporting every span (SimpleSpanProcessor,
//         an exporter that discards), a meter provider aggregating the counters and the histogram.
import * as diagnostics from 'node:diagnostics_channel';
import { CALLBACK_CHANNEL } from '@im-callbacks/core';

const mode = process.argv[2];
if (mode === 'noop') {
  const nothing = () => {};
  diagnostics
    .tracingChannel(CALLBACK_CHANNEL)
    .subscribe({ start: nothing, end: nothing, asyncStart: nothing, asyncEnd: nothing, error: nothing });
} else if (mode === 'inspector') {
  const { createInspector } = await import('@im-callbacks/inspector');
  const inspector = createInspector();
  globalThis.imBenchAfterBatch = () => inspector.flush();
  process.on('message', (message) => {
    if (message.type === 'records') process.send({ id: message.id, result: inspector.records().length });
  });
} else if (mode === 'otel') {
  const { context } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  const { instrumentImCallbacks } = await import('@im-callbacks/opentelemetry');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  let exported = 0;
  const discard = {
    export(spans, done) {
      exported += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
  class Reader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(discard)] });
  instrumentImCallbacks({ tracerProvider, meterProvider: new MeterProvider({ readers: [new Reader()] }) });
  // `spans`: how many spans were exported, for the parent's check. Answered synchronously by this
  // listener, registered before core.worker.mjs's: its own answer to this unknown call comes second
  // and is ignored by the parent (the call is already answered).
  process.on('message', (message) => {
    if (message.type === 'spans') process.send({ id: message.id, result: exported });
  });
} else {
  throw new Error(`mode must be noop, inspector or otel, got ${mode}`);
}
process.argv[2] = 'pipeline';
await import('./core.worker.mjs');
