/**
 * Owns the receiver, what adapters and applications hold: `handle` runs the request pipeline
 * (query → body → json → validate) and hands the event to the emitter; `fetch` is the same behind the
 * Web-standard `(Request) => Promise<Response>`; `dispatch` delivers a payload received some other
 * way (a queue worker, a test) without HTTP. Registration is the emitter's. Every public method is
 * bound, so `const { fetch, on } = receiver` works.
 */
import { Delivery } from './delivery.js';
import {
  type CallbackTrace,
  traceAnswer,
  traceDelivery,
  traceError,
  traceHandlers,
  traceReturned,
  traceStart,
} from './diagnostics.js';
import {
  BodyTooLargeError,
  type ErrorContext,
  type ImCallbackError,
  MethodNotAllowedError,
  SdkAppIdError,
  toImCallbackError,
} from './errors.js';
import { createEvent, type EventOrigin } from './event.js';
import type { CallbackHandlers } from './events.js';
import type { Logger } from './logger.js';
import { type ReceiverOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { bodyInMemory, type ReadBody, type ReadLimits, readStreamBody } from './pipeline/body.js';
import { assertNoForbiddenKey, parseJson } from './pipeline/json.js';
import { parseQuery, type QueryInput, verifyQuery } from './pipeline/query.js';
import { type CallbackResponse, decisionInputs, failureResponse, OK_RESPONSE } from './pipeline/reply.js';
import { queryOf } from './pipeline/url.js';
import { type Validation, validate } from './pipeline/validate.js';
import { Registration } from './registration.js';
import { type AdmittedRequest, type CallbackRequest, type DispatchContext, toLength } from './request.js';
import { isThenable } from './settle.js';

export type { AdmittedRequest, CallbackRequest, DispatchContext } from './request.js';

const RECEIVER = Symbol.for('@im-callbacks/core:receiver');

/** What is known of a request so far, for the error if a stage refuses it. */
type Known = { command?: string | undefined; payload?: unknown; requestId?: string | undefined };

export class CallbackReceiver extends Registration implements CallbackHandlers<CallbackReceiver> {
  readonly options: ResolvedOptions;
  readonly #limits: ReadLimits;
  /** Only when `handoff` or `dedupe` is set: otherwise events go straight to the emitter. */
  readonly #delivery: Delivery | undefined;
  readonly [RECEIVER] = true;

  constructor(options: ReceiverOptions) {
    const resolved = resolveOptions(options);
    super(resolved);
    this.options = resolved;
    this.#limits = { limit: this.options.bodyLimit, timeout: this.options.bodyTimeout };
    this.#delivery =
      resolved.handoff === undefined && resolved.dedupe === undefined
        ? undefined
        : new Delivery(resolved, this.emitter, this.reporter);
    if (this.options.tokens.length === 0) {
      this.options.logger.warn(
        'no callback token configured: requests are not authenticated. Set the token from the IM console (callback authentication).',
      );
    }
    this.handle = this.handle.bind(this);
    this.respond = this.respond.bind(this);
    this.admit = this.admit.bind(this);
    this.refuse = this.refuse.bind(this);
    this.fetch = this.fetch.bind(this);
    this.dispatch = this.dispatch.bind(this);
  }

  /** Runs the whole pipeline for one request. Never rejects: every failure becomes a response. */
  handle(request: CallbackRequest): Promise<CallbackResponse> {
    const answer = this.respond(request);
    return isThenable(answer) ? answer : Promise.resolve(answer);
  }

  /**
   * `handle` for adapters that can send an answer at once: the answer itself when it is known
   * synchronously (a body already in memory, handlers that returned synchronously), else a promise
   * of it. Never throws, never rejects.
   */
  respond(request: CallbackRequest): CallbackResponse | Promise<CallbackResponse> {
    const trace = traceStart();
    return trace === undefined ? this.#handle(request, undefined) : traceReturned(trace, this.#handle(request, trace));
  }

  #handle(request: CallbackRequest, trace: CallbackTrace | undefined): CallbackResponse | Promise<CallbackResponse> {
    // What is known so far, for the error if a stage refuses the request.
    const known: Known = {};
    const log = request.logger ?? this.options.logger;
    try {
      const admitted = request.admitted ?? this.#verify(request.query, known);
      known.command = admitted.query.callbackcommand;
      known.requestId = admitted.query.requestid;
      const source = typeof request.body === 'function' ? request.body() : request.body;
      // In-memory bodies are taken synchronously; only a stream is awaited.
      const body = bodyInMemory(source, this.options.bodyLimit, known);
      if (body !== undefined) return this.#process(admitted, body, known, log, trace);
      return readStreamBody(source, this.#limits, toLength(request.contentLength), known).then(
        (read) => this.#process(admitted, read, known, log, trace),
        (caught: unknown) => this.#fail(toImCallbackError(caught, known), log, known, trace),
      );
    } catch (caught) {
      return this.#fail(toImCallbackError(caught, known), log, known, trace);
    }
  }

  /** From the body read to the answer: parse, validate, dispatch (synchronous when the handlers are). */
  #process(
    admitted: AdmittedRequest,
    body: ReadBody,
    known: Known,
    log: Logger,
    trace: CallbackTrace | undefined,
  ): CallbackResponse | Promise<CallbackResponse> {
    try {
      const { query, verified } = admitted;
      let json: unknown;
      if ('text' in body) {
        json = parseJson(body.text, known);
      } else {
        json = body.parsed;
        assertNoForbiddenKey(json, known);
      }
      known.payload = json;
      const origin: EventOrigin = {
        sdkAppId: verified.sdkAppId,
        clientIp: query.clientip,
        optPlatform: query.optplatform,
        requestTime: verified.requestTime,
        requestId: verified.requestId,
        query,
      };
      // The deadline counts from the request's arrival, not from the end of its body.
      const elapsed = this.options.now() - admitted.receivedAt;
      const deadline = elapsed > 0 ? Math.max(1, this.options.deadline - elapsed) : undefined;
      const response = this.#deliver(
        verified.command,
        validate(verified.command, json, known),
        json,
        origin,
        log,
        trace,
        body,
        deadline,
      );
      return this.#answered(response, known, log, trace);
    } catch (caught) {
      return this.#fail(toImCallbackError(caught, known), log, known, trace);
    }
  }

  /** The emitter's answer, noted in the trace; synchronous when it is, a failure reported if it rejects. */
  #answered(
    response: CallbackResponse | Promise<CallbackResponse>,
    known: ErrorContext,
    log: Logger,
    trace: CallbackTrace | undefined,
  ): CallbackResponse | Promise<CallbackResponse> {
    if (!isThenable(response)) return trace === undefined ? response : traceAnswer(trace, response, known);
    return response.then(
      (answer) => (trace === undefined ? answer : traceAnswer(trace, answer, known)),
      (caught: unknown) => this.#fail(toImCallbackError(caught, known), log, known, trace),
    );
  }

  /**
   * For adapters that read the body themselves (Fastify): verifies the query and the declared size
   * before any byte of the body is read. Either the request is admitted (pass `admitted` to
   * `handle` with the body), or here is the refusal to send, already reported.
   */
  admit(request: {
    query: QueryInput;
    contentLength?: number | string | undefined;
    logger?: Logger | undefined;
  }): { admitted: AdmittedRequest; response?: undefined } | { admitted?: undefined; response: CallbackResponse } {
    const known: Known = {};
    try {
      const admitted = this.#verify(request.query, known);
      const length = toLength(request.contentLength);
      if (length !== undefined && length > this.options.bodyLimit)
        throw new BodyTooLargeError(this.options.bodyLimit, known);
      return { admitted };
    } catch (caught) {
      return { response: this.refuse(toImCallbackError(caught, known), request.logger) };
    }
  }

  /** Reports a refusal an adapter found itself (its body reader's limit or timeout) and returns its answer. */
  refuse(error: ImCallbackError, logger?: Logger): CallbackResponse {
    // A refusal outside `handle` (before or instead of it) is a callback's whole trace.
    return this.#fail(error, logger ?? this.options.logger, error, traceStart());
  }

  /** Reports `error` and returns its answer (the end of the callback's trace, when traced). */
  #fail(error: ImCallbackError, log: Logger, known: ErrorContext, trace: CallbackTrace | undefined): CallbackResponse {
    this.reporter.report(error, log);
    return trace === undefined ? failureResponse(error) : traceAnswer(trace, failureResponse(error), known, error);
  }

  #verify(input: QueryInput, known: Known): AdmittedRequest {
    const receivedAt = this.options.now();
    const query = parseQuery(input);
    known.command = query.callbackcommand;
    known.requestId = query.requestid;
    return { query, verified: verifyQuery(query, this.options), receivedAt };
  }

  /** The Web-standard handler: `(Request) => Promise<Response>`, same pipeline and status table. */
  async fetch(request: Request): Promise<Response> {
    let response: CallbackResponse;
    if (request.method !== 'POST') {
      response = this.refuse(new MethodNotAllowedError(request.method));
      return new Response(response.body, { status: response.status, headers: { ...response.headers, allow: 'POST' } });
    }
    response = await this.handle({
      query: queryOf(request.url),
      body: () => request.body,
      contentLength: request.headers.get('content-length') ?? undefined,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  }

  /**
   * Delivers a callback payload that did not come over HTTP (a queue worker, a test): checked for
   * forbidden keys and validated like a received body, then given to the same handlers, with the
   * same answer `handle` would have sent. Never rejects.
   */
  dispatch(command: string, payload: unknown, context: DispatchContext = {}): Promise<CallbackResponse> {
    const trace = traceStart(command);
    return trace === undefined
      ? this.#dispatch(command, payload, context, undefined)
      : traceReturned(trace, this.#dispatch(command, payload, context, trace));
  }

  async #dispatch(
    command: string,
    payload: unknown,
    context: DispatchContext,
    trace: CallbackTrace | undefined,
  ): Promise<CallbackResponse> {
    const known: ErrorContext = { command, payload, requestId: context.requestId };
    const log = context.logger ?? this.options.logger;
    try {
      const sdkAppId = String(context.sdkAppId ?? [...this.options.sdkAppIds][0]);
      if (!this.options.sdkAppIds.has(sdkAppId))
        throw new SdkAppIdError('SDKAPPID_MISMATCH', 'SdkAppid is not this app', known);
      assertNoForbiddenKey(payload, known);
      const params = context.query ?? {};
      const origin: EventOrigin = { ...context, sdkAppId: Number(sdkAppId), query: { params } };
      const deadline = context.wait === true ? Number.POSITIVE_INFINITY : undefined;
      // Awaited before the answer is traced: `dispatch` always answers asynchronously.
      const answer = await this.#deliver(
        command,
        validate(command, payload, known),
        payload,
        origin,
        log,
        trace,
        undefined,
        deadline,
      );
      return this.#answered(answer, known, log, trace);
    } catch (caught) {
      return this.#fail(toImCallbackError(caught, known), log, known, trace);
    }
  }

  /**
   * A validated body becomes an event for the emitter. One that failed its schema is reported (with
   * the raw payload and the issues) and never dispatched, but answered 200: Tencent does not resend
   * an after-callback and reads `ErrorCode` 1 in a before-callback's reply as "refuse"; so
   * after-callbacks get the OK ack, before-callbacks the fallback decision.
   */
  #deliver(
    command: string,
    result: Validation,
    raw: unknown,
    origin: EventOrigin,
    log: Logger,
    trace: CallbackTrace | undefined,
    body?: ReadBody,
    deadline?: number,
  ): CallbackResponse | Promise<CallbackResponse> {
    const { spec } = result;
    const kind = spec === undefined ? 'unknown' : spec.form === 'ack' ? 'after' : 'before';
    if (trace !== undefined) traceDelivery(trace, kind, origin);
    if (!result.ok) {
      this.reporter.report(result.error, log);
      if (trace !== undefined) traceError(trace, result.error);
      return spec === undefined || spec.form === 'ack'
        ? OK_RESPONSE
        : this.emitter.fallback(spec, decisionInputs(spec, raw));
    }
    const event = createEvent(command, kind, result.payload, raw, origin);
    if (trace !== undefined) traceHandlers(trace, event);
    if (this.#delivery !== undefined) return this.#delivery.deliver(spec, event, body, log, deadline);
    return this.emitter.emit(spec, event, log, deadline);
  }
}

/** Creates a receiver (the framework-free core every adapter wraps). */
export function createReceiver(options: ReceiverOptions): CallbackReceiver {
  return new CallbackReceiver(options);
}

/**
 * Whether `value` is a receiver (adapters take one in place of an SDKAppID). A brand, not
 * `instanceof`: an app may load core's ESM build and an adapter its CJS build, two classes.
 */
export function isReceiver(value: unknown): value is CallbackReceiver {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RECEIVER] === true;
}
