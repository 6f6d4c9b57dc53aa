/**
 * Owns the receiver, what adapters and applications hold, and the request path through it. One
 * entry for every adapter: `handle` takes a request as soon as its headers are in and runs it to
 * its answer through named stages, each reading and filling the callback's context (`Callback`):
 *
 *   handle → #receive: method, query and Sign verified (`#admit`), declared size checked, then the
 *            body read (pipeline/body) → #process: JSON parsed (a body with no event: the console's
 *            URL check, answered by #check), then validated → #deliver: the event to the delivery
 *            (handoff, de-duplication) or straight to the emitter (the handlers) → #answer: the
 *            answer traced; any refusal or failure on the way → #fail.
 *
 * `fetch` is `handle` behind the Web-standard `(Request) => Promise<Response>`; `dispatch` runs a
 * payload received some other way (a queue worker, a test) from `#deliver` on. What is in flight is
 * the `InFlight`'s (inflight.ts), so `close` can refuse new callbacks and drain. Registration is the
 * registry's, given to the receiver by composition. Every public method is bound, so
 * `const { fetch, on } = receiver` works.
 */
import { type Answer, Callback } from './callback.js';
import { Delivery } from './delivery.js';
import { traceAnswer, traceCheck, traceError, traceHandlers, traceReturned, traceStart } from './diagnostics.js';
import { CallbackEmitter } from './emitter.js';
import {
  AbandonedError,
  type ImCallbackError,
  MethodNotAllowedError,
  SdkAppIdError,
  ShuttingDownError,
  toImCallbackError,
} from './errors.js';
import { createEvent, type EventOrigin } from './event.js';
import type { CallbackHandlers } from './events.js';
import { type DrainResult, InFlight } from './inflight.js';
import { type ReceiverOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type ReadBody, type ReadLimits, readBody, WebBody } from './pipeline/body.js';
import { CHECK_BODY_MAX, CHECK_LOG_INTERVAL_MS, isBlankBody, isEmptyBody } from './pipeline/check.js';
import { BodyDeadlines } from './pipeline/deadlines.js';
import { assertNoForbiddenKey, parseJson } from './pipeline/json.js';
import { type CallbackQuery, parseQuery, type QueryInput, type VerifiedQuery, verifyQuery } from './pipeline/query.js';
import { type CallbackResponse, decisionInputs, failureResponse, OK_RESPONSE } from './pipeline/reply.js';
import { queryOf } from './pipeline/url.js';
import { type Validation, validate } from './pipeline/validate.js';
import { addRegistration, Registry } from './registration.js';
import { Reporter } from './report.js';
import {
  type CallbackRequest,
  type CloseOptions,
  type DispatchContext,
  type FetchOptions,
  toLength,
} from './request.js';
import { isThenable } from './settle.js';

export type { DrainResult } from './inflight.js';
export type { CallbackRequest, CloseOptions, DispatchContext, FetchOptions } from './request.js';

/** `close()`'s default timeout: room for the server and the app's other hooks in a 30 s termination grace. */
export const DEFAULT_CLOSE_TIMEOUT = 10_000;

const RECEIVER = Symbol.for('@im-callbacks/core:receiver');

/** What `#admit` learnt of a request from its query. */
interface Admitted {
  readonly query: CallbackQuery;
  readonly verified: VerifiedQuery;
}

type Registration = CallbackHandlers<CallbackReceiver>;

export class CallbackReceiver implements Registration {
  // The registration methods, put on each receiver by `addRegistration` (defined once, in registration.ts).
  declare readonly on: Registration['on'];
  declare readonly onAny: Registration['onAny'];
  declare readonly onError: Registration['onError'];
  declare readonly off: Registration['off'];
  readonly options: ResolvedOptions;
  readonly [RECEIVER] = true;
  readonly #limits: ReadLimits;
  readonly #reporter = new Reporter();
  readonly #inFlight = new InFlight();
  readonly #emitter: CallbackEmitter;
  /** Only when `handoff` or `dedupe` is set: otherwise events go straight to the emitter. */
  readonly #delivery: Delivery | undefined;
  /** When a URL check was last logged (the receiver's clock): at most one info line a minute. */
  #checkLogged = Number.NEGATIVE_INFINITY;

  constructor(options: ReceiverOptions) {
    const resolved = resolveOptions(options);
    this.options = resolved;
    this.#limits = {
      limit: resolved.bodyLimit,
      timeout: resolved.bodyTimeout,
      deadlines: new BodyDeadlines(resolved.bodyTimeout),
    };
    const registry = new Registry(this.#reporter);
    this.#emitter = new CallbackEmitter(registry, this.#reporter, resolved.fallback, resolved.now, this.#inFlight);
    this.#delivery =
      resolved.handoff === undefined && resolved.dedupe === undefined
        ? undefined
        : new Delivery(resolved, this.#emitter);
    addRegistration(this, registry);
    if (resolved.tokens.length === 0) {
      resolved.logger.warn(
        'no callback token configured: requests are not authenticated. Set the token from the IM console (callback authentication).',
      );
    }
    this.handle = this.handle.bind(this);
    this.fetch = this.fetch.bind(this);
    this.dispatch = this.dispatch.bind(this);
    this.report = this.report.bind(this);
    this.close = this.close.bind(this);
  }

  /**
   * The one entry for adapters: runs one request, from its headers to its answer. The query is
   * verified and the declared size checked before the body is asked for. Never rejects: every
   * refusal and failure becomes an answer (and a typed error to `onError`).
   */
  handle(request: CallbackRequest): Promise<CallbackResponse> {
    const receivedAt = this.options.now();
    const callback = new Callback(
      receivedAt,
      request.logger ?? this.options.logger,
      traceStart(receivedAt),
      this.options.deadline,
    );
    if (request.waitUntil !== undefined) callback.waitUntil = request.waitUntil;
    const answer = traceReturned(callback, this.#receive(callback, request));
    if (!isThenable(answer)) return Promise.resolve(answer);
    this.#inFlight.answering(callback, answer);
    return answer;
  }

  /**
   * The Web-standard handler: `(Request) => Promise<Response>`, same pipeline and status table.
   * `waitUntil`: the host's (Vercel, Next.js `after`, Cloudflare `ctx.waitUntil`, Netlify), given
   * every piece of work that outlives the answer; the answer still goes out at the deadline.
   */
  async fetch(request: Request, options?: FetchOptions): Promise<Response> {
    const response = await this.handle({
      method: request.method,
      query: queryOf(request.url),
      body: () => new WebBody(request),
      contentLength: request.headers.get('content-length') ?? undefined,
      waitUntil: options?.waitUntil,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  }

  /**
   * Runs a callback payload that did not come over HTTP (a queue worker, a test): checked for
   * forbidden keys and validated like a received body, then given to the same handlers, with the
   * same answer `handle` would have sent. Never rejects.
   */
  dispatch(command: string, payload: unknown, context: DispatchContext = {}): Promise<CallbackResponse> {
    const deadline = context.wait === true ? Number.POSITIVE_INFINITY : this.options.deadline;
    const log = context.logger ?? this.options.logger;
    const receivedAt = this.options.now();
    const callback = new Callback(receivedAt, log, traceStart(receivedAt, command), deadline);
    callback.command = command;
    callback.payload = payload;
    callback.requestId = context.requestId;
    const answer = traceReturned(callback, this.#dispatch(callback, payload, context));
    this.#inFlight.answering(callback, answer);
    return answer;
  }

  /** Gives `error` to the `onError` handlers (or the log, without any), as the receiver does its own. */
  report(error: ImCallbackError): void {
    this.#reporter.report(error, this.options.logger);
  }

  /**
   * A graceful drain: from now on callbacks are answered 503 `SHUTTING_DOWN` (and `dispatch`
   * likewise), and the work in flight (callbacks not answered yet, handlers still running after
   * their answer, handoffs, de-duplication writes) is waited for, up to `timeout` ms. Each callback
   * whose work is still running then goes to `onError` as `ABANDONED`, with its payload. Resolves
   * with the counts; the same promise on every call.
   */
  close(options: CloseOptions = {}): Promise<DrainResult> {
    const timeout = options.timeout ?? DEFAULT_CLOSE_TIMEOUT;
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)
      throw new TypeError('im-callbacks: close timeout must be a number of milliseconds >= 0 (or Infinity)');
    return this.#inFlight.close(timeout, (callback) => this.#abandon(callback, timeout));
  }

  /** Whether `close()` was called: callbacks are refused from then on. */
  get closing(): boolean {
    return this.#inFlight.closing;
  }

  #abandon(callback: Callback, timeout: number): void {
    const answered = callback.status === undefined ? 'not answered' : `answered ${callback.status}`;
    const message = `${callback.command ?? 'callback'} (${answered}) still had work running when close() gave up after ${timeout} ms`;
    const error = new AbandonedError(callback.status ?? 503, message, callback);
    // Reported only: the callback's trace ended with its answer.
    this.#reporter.report(error, callback.log);
  }

  #receive(callback: Callback, request: CallbackRequest): Answer {
    try {
      if (this.#inFlight.closing) throw new ShuttingDownError();
      if (request.method !== undefined && request.method !== 'POST') throw new MethodNotAllowedError(request.method);
      const admitted = this.#admit(callback, request.query);
      const length = toLength(request.contentLength);
      // Without SdkAppid or command, only an empty body makes the console's URL check: a longer one is
      // refused as it always was, unread.
      const { incomplete } = admitted.verified;
      if (incomplete !== undefined && length !== undefined && length > CHECK_BODY_MAX) throw incomplete;
      const source = typeof request.body === 'function' ? request.body() : request.body;
      const body = readBody(source, this.#limits, length, callback);
      // A body already in memory is taken synchronously; only a stream is awaited.
      if (!isThenable(body)) return this.#process(callback, admitted, body);
      return body.then(
        (read) => this.#process(callback, admitted, read),
        (caught: unknown) => this.#fail(callback, caught),
      );
    } catch (caught) {
      return this.#fail(callback, caught);
    }
  }

  /** Parses and verifies the query (403, 401, 400 as the status table says). */
  #admit(callback: Callback, input: QueryInput): Admitted {
    const query = parseQuery(input);
    callback.query = query;
    callback.command = query.callbackcommand;
    callback.requestId = query.requestid;
    const verified = verifyQuery(query, this.options);
    callback.sdkAppId = verified.sdkAppId;
    return { query, verified };
  }

  /** From the body read to the answer: parsed, validated, delivered. */
  #process(callback: Callback, { query, verified }: Admitted, body: ReadBody): Answer {
    try {
      let json: unknown;
      if ('text' in body) {
        callback.text = body.text;
        if (isBlankBody(body.text)) return this.#check(callback);
        json = parseJson(body.text, callback);
      } else {
        json = body.parsed;
        assertNoForbiddenKey(json, callback);
      }
      if (isEmptyBody(body, json)) return this.#check(callback);
      // A body that is no check, but no SdkAppid or command in the query: refused as it always was.
      if (verified.incomplete !== undefined) throw verified.incomplete;
      callback.payload = json;
      const origin: EventOrigin = {
        sdkAppId: verified.sdkAppId as number,
        clientIp: query.clientip,
        optPlatform: query.optplatform,
        requestTime: verified.requestTime,
        requestId: verified.requestId,
        query,
      };
      return this.#answer(
        callback,
        this.#deliver(callback, validate(verified.command as string, json, callback), origin),
      );
    } catch (caught) {
      // Without SdkAppid or command, a body that does not parse is no check either: the query's refusal.
      return this.#fail(callback, verified.incomplete ?? caught);
    }
  }

  async #dispatch(callback: Callback, payload: unknown, context: DispatchContext): Promise<CallbackResponse> {
    try {
      if (this.#inFlight.closing) throw new ShuttingDownError(callback);
      const sdkAppId = String(context.sdkAppId ?? [...this.options.sdkAppIds][0]);
      if (!this.options.sdkAppIds.has(sdkAppId))
        throw new SdkAppIdError('SDKAPPID_MISMATCH', 'SdkAppid is not this app', callback);
      callback.sdkAppId = Number(sdkAppId);
      assertNoForbiddenKey(payload, callback);
      const origin: EventOrigin = { ...context, sdkAppId: callback.sdkAppId, query: { params: context.query ?? {} } };
      const command = callback.command as string;
      // Awaited before the answer is traced: `dispatch` always answers asynchronously.
      return this.#answer(callback, await this.#deliver(callback, validate(command, payload, callback), origin));
    } catch (caught) {
      return this.#fail(callback, caught);
    }
  }

  /**
   * A validated body becomes an event for the delivery or the emitter. One that failed its schema is
   * reported (with the raw payload and the issues) and never dispatched, but answered 200: Tencent
   * does not resend an after-callback and reads `ErrorCode` 1 in a before-callback's reply as
   * "refuse"; so after-callbacks get the OK ack, before-callbacks the fallback decision.
   */
  #deliver(callback: Callback, result: Validation, origin: EventOrigin): Answer {
    const { spec } = result;
    callback.spec = spec;
    const kind = spec === undefined ? 'unknown' : spec.form === 'ack' ? 'after' : 'before';
    traceHandlers(callback, kind);
    if (!result.ok) {
      this.#reporter.report(result.error, callback.log);
      traceError(callback, result.error);
      return spec === undefined || spec.form === 'ack'
        ? OK_RESPONSE
        : this.#emitter.fallback(spec, decisionInputs(spec, callback.payload));
    }
    callback.event = createEvent(callback.command as string, kind, result.payload, callback.payload, origin);
    return this.#delivery === undefined ? this.#emitter.emit(callback) : this.#delivery.deliver(callback);
  }

  /**
   * The console's URL check (an authenticated request that carries no event): the OK ack, nothing
   * dispatched, an info line at most once a minute.
   */
  #check(callback: Callback): CallbackResponse {
    traceCheck(callback);
    const now = this.options.now();
    if (now - this.#checkLogged >= CHECK_LOG_INTERVAL_MS) {
      this.#checkLogged = now;
      callback.log.info(
        "the IM console's URL check (a request without an event) was answered OK; nothing was dispatched (logged at most once a minute)",
      );
    }
    return traceAnswer(callback, OK_RESPONSE);
  }

  /** The answer, noted in the trace: now when it is known, else when it is (a rejection is a failure). */
  #answer(callback: Callback, answer: Answer): Answer {
    if (!isThenable(answer)) {
      callback.status = answer.status;
      return traceAnswer(callback, answer);
    }
    return answer.then(
      (response) => {
        callback.status = response.status;
        return traceAnswer(callback, response);
      },
      (caught: unknown) => this.#fail(callback, caught),
    );
  }

  /** Any refusal or failure: reported as a typed error, answered with its status. */
  #fail(callback: Callback, caught: unknown): CallbackResponse {
    const error = toImCallbackError(caught, callback);
    this.#reporter.report(error, callback.log);
    return traceAnswer(callback, failureResponse(error), error);
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
