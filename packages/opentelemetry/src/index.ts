/**
 * `@im-callbacks/opentelemetry`: turns the `im-callbacks:callback` tracing channel of
 * `@im-callbacks/core` into OpenTelemetry spans and metrics. `instrumentImCallbacks()` subscribes;
 * every callback then gets a span (a child of the context active when the callback entered the
 * receiver: the HTTP server span), is counted, and its handlers' time is recorded. Nothing else of
 * the application changes: the core publishes, this package only listens.
 */
import * as diagnostics from 'node:diagnostics_channel';
import { CALLBACK_CHANNEL, type CallbackTraceContext, isKnownCommand } from '@im-callbacks/core';
import { checkOptionNames } from '@im-callbacks/core/adapter';
import {
  type Attributes,
  type Counter,
  context,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** The instrumentation scope (tracer and meter name). */
export const INSTRUMENTATION_NAME = '@im-callbacks/opentelemetry';

/** Span and metric attribute names. */
export const ATTRIBUTES = {
  COMMAND: 'im_callbacks.command',
  KIND: 'im_callbacks.kind',
  DECISION: 'im_callbacks.decision',
  ERROR_CODE: 'im_callbacks.error_code',
  SDK_APP_ID: 'im_callbacks.sdk_app_id',
  REQUEST_ID: 'im_callbacks.request_id',
  STATUS: 'http.response.status_code',
} as const;

/** Metric names. */
export const METRICS = {
  /** Counter: every callback, by command, kind, status, decision (and error code when there was one). */
  CALLBACKS: 'im_callbacks.callbacks',
  /** Histogram, seconds: from handing the event to the handlers to the answer. */
  HANDLER_DURATION: 'im_callbacks.handler.duration',
  /** Counter: before-callbacks answered with the fallback decision, by command and error code (the reason). */
  FALLBACKS: 'im_callbacks.fallbacks',
} as const;

export interface ImCallbacksInstrumentationOptions {
  /** Where spans go. Default: the global tracer provider (`trace.setGlobalTracerProvider`, the Node SDK). */
  tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global meter provider. */
  meterProvider?: MeterProvider;
  /** Record spans. Default true. */
  traces?: boolean;
  /** Record metrics. Default true. */
  metrics?: boolean;
}

/** What `instrumentImCallbacks` returns: `disable()` unsubscribes (callbacks in flight then get no span end). */
export interface ImCallbacksInstrumentation {
  disable(): void;
}

/** Handler-duration buckets in seconds: around Tencent's 2 s and the 1.5 s default deadline. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 5];

/** An unauthenticated request can name any command: metric attributes and span names only carry known ones. */
function commandLabel(command: string | undefined): string {
  return command !== undefined && isKnownCommand(command) ? command : '_OTHER';
}

/** Span attributes may carry the command as sent, but not an unbounded one. */
function bounded(value: string): string {
  return value.length > 128 ? value.slice(0, 128) : value;
}

interface Recorders {
  callbacks: Counter;
  duration: Histogram;
  fallbacks: Counter;
}

function recorders(provider: MeterProvider): Recorders {
  const meter = provider.getMeter(INSTRUMENTATION_NAME);
  return {
    callbacks: meter.createCounter(METRICS.CALLBACKS, {
      description: 'Tencent IM callbacks received, by command, kind, HTTP status, decision and error code',
      unit: '{callback}',
    }),
    duration: meter.createHistogram(METRICS.HANDLER_DURATION, {
      description: 'Time from handing a callback to its handlers to the answer (the deadline when they missed it)',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    fallbacks: meter.createCounter(METRICS.FALLBACKS, {
      description:
        'Before-callbacks answered with the fallback decision (handler timeout, failure, invalid decision or payload)',
      unit: '{callback}',
    }),
  };
}

/** The low-cardinality attributes every metric of a finished callback carries. */
function metricAttributes(callback: CallbackTraceContext): Attributes {
  const attributes: Attributes = { [ATTRIBUTES.COMMAND]: commandLabel(callback.command) };
  if (callback.kind !== undefined) attributes[ATTRIBUTES.KIND] = callback.kind;
  if (callback.status !== undefined) attributes[ATTRIBUTES.STATUS] = callback.status;
  if (callback.decision !== undefined) attributes[ATTRIBUTES.DECISION] = callback.decision;
  if (callback.code !== undefined) attributes[ATTRIBUTES.ERROR_CODE] = callback.code;
  return attributes;
}

function record(recorders: Recorders, callback: CallbackTraceContext): void {
  const attributes = metricAttributes(callback);
  recorders.callbacks.add(1, attributes);
  if (callback.handlerDuration !== undefined) recorders.duration.record(callback.handlerDuration / 1000, attributes);
  if (callback.decision === 'fallback') {
    const reason: Attributes = { [ATTRIBUTES.COMMAND]: attributes[ATTRIBUTES.COMMAND] };
    if (callback.code !== undefined) reason[ATTRIBUTES.ERROR_CODE] = callback.code;
    recorders.fallbacks.add(1, reason);
  }
}

function finishSpan(span: Span, callback: CallbackTraceContext): void {
  if (callback.command !== undefined) {
    span.updateName(`im-callback ${commandLabel(callback.command)}`);
    span.setAttribute(ATTRIBUTES.COMMAND, bounded(callback.command));
  } else if (callback.kind === 'check') {
    // The console's URL check may name no command: its span says what it was.
    span.updateName('im-callback check');
  }
  if (callback.kind !== undefined) span.setAttribute(ATTRIBUTES.KIND, callback.kind);
  if (callback.sdkAppId !== undefined) span.setAttribute(ATTRIBUTES.SDK_APP_ID, callback.sdkAppId);
  if (callback.requestId !== undefined) span.setAttribute(ATTRIBUTES.REQUEST_ID, bounded(callback.requestId));
  if (callback.status !== undefined) span.setAttribute(ATTRIBUTES.STATUS, callback.status);
  if (callback.decision !== undefined) span.setAttribute(ATTRIBUTES.DECISION, callback.decision);
  if (callback.code !== undefined) {
    span.setAttribute(ATTRIBUTES.ERROR_CODE, callback.code);
    // The code and the error's short message (never a token, a Sign nor a stack: see the core's errors).
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${callback.code}: ${callback.error?.message ?? ''}` });
  }
  span.end();
}

const OPTION_NAMES = ['tracerProvider', 'meterProvider', 'traces', 'metrics'];

/** A misconfiguration fails at start-up, saying what is wrong, not as a missing span later. */
function checkOptions(options: unknown): asserts options is ImCallbacksInstrumentationOptions {
  const fail = (message: string): never => {
    throw new TypeError(`@im-callbacks/opentelemetry: ${message}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const given = options as Record<string, unknown>;
  checkOptionNames(given, OPTION_NAMES, '', '@im-callbacks/opentelemetry');
  const provider = (name: string, method: string) => {
    const value = given[name] as Record<string, unknown> | undefined;
    if (value !== undefined && typeof value?.[method] !== 'function')
      fail(`option ${name} must have a ${method}() method`);
  };
  provider('tracerProvider', 'getTracer');
  provider('meterProvider', 'getMeter');
  for (const name of ['traces', 'metrics']) {
    if (given[name] !== undefined && typeof given[name] !== 'boolean') fail(`option ${name} must be true or false`);
  }
}

/**
 * Subscribes to the `im-callbacks:callback` channel and records, for every callback: a span
 * `im-callback <command>` (child of the active context when the callback arrived, status ERROR when
 * refused or failed), the `im_callbacks.callbacks` counter, the `im_callbacks.handler.duration`
 * histogram and the `im_callbacks.fallbacks` counter. Returns `{ disable() }`.
 */
export function instrumentImCallbacks(options: ImCallbacksInstrumentationOptions = {}): ImCallbacksInstrumentation {
  checkOptions(options);
  const tracer =
    options.traces === false
      ? undefined
      : (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const meters = options.metrics === false ? undefined : recorders(options.meterProvider ?? metrics.getMeterProvider());
  const spans = new WeakMap<CallbackTraceContext, Span>();

  const finish = (callback: CallbackTraceContext): void => {
    if (meters !== undefined) record(meters, callback);
    const span = spans.get(callback);
    if (span === undefined) return;
    spans.delete(callback);
    finishSpan(span, callback);
  };
  const handlers = {
    start(callback: CallbackTraceContext): void {
      if (tracer === undefined) return;
      const name = callback.command === undefined ? 'im-callback' : `im-callback ${commandLabel(callback.command)}`;
      spans.set(callback, tracer.startSpan(name, { kind: SpanKind.INTERNAL }, context.active()));
    },
    // `end` with a status: answered synchronously; without: the answer comes with `asyncEnd`.
    end(callback: CallbackTraceContext): void {
      if (callback.status !== undefined) finish(callback);
    },
    asyncStart(): void {},
    asyncEnd(callback: CallbackTraceContext): void {
      finish(callback);
    },
    error(): void {},
  };
  const channel = diagnostics.tracingChannel<unknown, CallbackTraceContext>(CALLBACK_CHANNEL);
  channel.subscribe(handlers);
  let enabled = true;
  return {
    disable(): void {
      if (!enabled) return;
      enabled = false;
      channel.unsubscribe(handlers);
    },
  };
}
