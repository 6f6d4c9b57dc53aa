// IM_OTEL=1: OpenTelemetry for the example, every span printed to the console. Loaded by server.mjs
// before the app, so that the HTTP instrumentation patches node:http before Express loads it: each
// request gets an HTTP server span, and each callback an `im-callback <command>` span under it.
import { instrumentImCallbacks } from '@im-callbacks/opentelemetry';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }),
);
// Enabled on creation, with the global tracer provider. Tencent puts the Sign in the query string:
// it stays out of the HTTP span's `url.query`.
new HttpInstrumentation({ redactedQueryParamsServer: ['Sign'] });
instrumentImCallbacks(); // the global tracer and meter providers (no meter provider here: metrics are no-ops)
