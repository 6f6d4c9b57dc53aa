/**
 * The receiver: verify the query, read and parse the body, validate, dispatch to handlers and
 * answer in time. Adapters translate their framework's request into a `CallbackRequest` and
 * write back the `CallbackResponse`; all protocol behaviour lives here.
 */
import * as v from 'valibot';
import {
  assertNoForbiddenKey,
  type BodySource,
  bodyInMemory,
  parseJson,
  type ReadLimits,
  readStreamBody,
} from './body.js';
import type { CommandSpec } from './catalogue/define.js';
import type { CommandName } from './catalogue/index.js';
import { commandSpec, isKnownCommand } from './catalogue/index.js';
import type { BeforeDecision } from './decisions.js';
import {
  DecisionError,
  HandlerError,
  HandlerTimeoutError,
  type ImCallbackError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadValidationError,
  toImCallbackError,
} from './errors.js';
import type {
  AnyCallbackEvent,
  AnyCallbackHandler,
  CallbackHandler,
  CallbackHandlers,
  ErrorHandler,
} from './events.js';
import type { Logger } from './logger.js';
import { type ReceiverOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type CallbackQuery, parseQuery, type QueryInput, queryOf, type VerifiedQuery, verifyQuery } from './query.js';
import {
  type CallbackResponse,
  decisionInputs,
  failureResponse,
  fallbackReply,
  JSON_HEADERS,
  OK_RESPONSE,
  replyFor,
} from './reply.js';

/** What an adapter hands to `handle`. */
export interface CallbackRequest {
  /** The query string (raw, `URLSearchParams`, or a framework's parsed object). */
  query: QueryInput;
  /** The body, or a function returning it: called only once the query is verified. */
  body: BodySource | (() => BodySource);
  /** The `Content-Length` header, to refuse an oversized body before reading it. */
  contentLength?: number | string | undefined;
  /** A logger for this request only (Fastify's request logger); default the receiver's. */
  logger?: Logger | undefined;
}

type AnyHandler = (event: never) => unknown;
type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };
const TIMED_OUT = Symbol('timed out');

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function settle(value: unknown): Promise<Settled> {
  return Promise.resolve(value).then(
    (result) => ({ ok: true, value: result }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toLength(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const length = typeof value === 'number' ? value : Number.parseInt(value, 10);
  return Number.isFinite(length) && length >= 0 ? length : undefined;
}

/** What every error about an event carries: its command, its payload as sent, its request id. */
function errorContext(event: AnyCallbackEvent): { command: string; payload: unknown; requestId: string | undefined } {
  return { command: event.command, payload: event.raw, requestId: event.requestId };
}

function firstIssuePath(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  return (issue && v.getDotPath(issue)) ?? '(body)';
}

/** An event. Built from a class so every event has one shape and `query` is computed only if read. */
class ReceivedEvent {
  readonly #query: CallbackQuery;
  readonly sdkAppId: number;
  readonly clientIp: string | undefined;
  readonly optPlatform: string | undefined;
  readonly requestTime: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    query: CallbackQuery,
    verified: VerifiedQuery,
    readonly command: string,
    readonly kind: AnyCallbackEvent['kind'],
    readonly payload: unknown,
    readonly raw: unknown,
  ) {
    this.#query = query;
    this.sdkAppId = verified.sdkAppId;
    this.clientIp = query.clientip;
    this.optPlatform = query.optplatform;
    this.requestTime = verified.requestTime;
    this.requestId = verified.requestId;
  }

  /** Every query parameter by its original name. */
  get query(): Readonly<Record<string, string>> {
    return this.#query.params;
  }
}

function createEvent(
  query: CallbackQuery,
  verified: VerifiedQuery,
  command: string,
  kind: AnyCallbackEvent['kind'],
  payload: unknown,
  raw: unknown,
): AnyCallbackEvent {
  return new ReceivedEvent(query, verified, command, kind, payload, raw) as unknown as AnyCallbackEvent;
}

export class CallbackReceiver implements CallbackHandlers<CallbackReceiver> {
  readonly options: ResolvedOptions;
  readonly #handlers = new Map<string, AnyHandler[]>();
  readonly #anyHandlers: AnyCallbackHandler[] = [];
  readonly #errorHandlers: ErrorHandler[] = [];
  readonly #limits: ReadLimits;

  constructor(options: ReceiverOptions) {
    this.options = resolveOptions(options);
    this.#limits = { limit: this.options.bodyLimit, timeout: this.options.bodyTimeout };
    if (this.options.tokens.length === 0) {
      this.options.logger.warn(
        'no callback token configured: requests are not authenticated. Set the token from the IM console (callback authentication).',
      );
    }
  }

  on<C extends CommandName>(command: C, handler: CallbackHandler<C>): this {
    if (!isKnownCommand(command))
      throw new TypeError(
        `im-callbacks: unknown command ${JSON.stringify(command)}; use onAny for commands this version does not know`,
      );
    if (typeof handler !== 'function') throw new TypeError('im-callbacks: handler must be a function');
    const list = this.#handlers.get(command);
    if (list) list.push(handler as AnyHandler);
    else this.#handlers.set(command, [handler as AnyHandler]);
    return this;
  }

  onAny(handler: AnyCallbackHandler): this {
    if (typeof handler !== 'function') throw new TypeError('im-callbacks: handler must be a function');
    this.#anyHandlers.push(handler);
    return this;
  }

  onError(handler: ErrorHandler): this {
    if (typeof handler !== 'function') throw new TypeError('im-callbacks: handler must be a function');
    this.#errorHandlers.push(handler);
    return this;
  }

  /** Runs the whole pipeline for one request. Never rejects: every failure becomes a response. */
  async handle(request: CallbackRequest): Promise<CallbackResponse> {
    // What the pipeline has learnt so far, for the error report if a stage refuses the request.
    const known: { command?: string | undefined; payload?: unknown; requestId?: string | undefined } = {};
    const log = request.logger ?? this.options.logger;
    try {
      const query = parseQuery(request.query);
      known.command = query.callbackcommand;
      known.requestId = query.requestid;
      const verified = verifyQuery(query, this.options);
      const source = typeof request.body === 'function' ? request.body() : request.body;
      // In-memory bodies are taken synchronously; only a stream is awaited.
      const body =
        bodyInMemory(source, this.options.bodyLimit) ??
        (await readStreamBody(source, this.#limits, toLength(request.contentLength)));
      let json: unknown;
      if ('text' in body) {
        known.payload = body.text;
        json = parseJson(body.text);
      } else {
        json = body.parsed;
        assertNoForbiddenKey(json);
      }
      known.payload = json;
      const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
      const bodyCommand = isObject ? (json as Record<string, unknown>).CallbackCommand : undefined;
      if (bodyCommand !== undefined && bodyCommand !== verified.command) {
        throw new MalformedRequestError('COMMAND_MISMATCH', 'body CallbackCommand differs from the query');
      }
      const spec = commandSpec(verified.command);
      if (!isObject) {
        return this.#invalid(spec, new PayloadValidationError('body must be a JSON object', '(body)', []), known, log);
      }
      if (spec === undefined) {
        const event = createEvent(query, verified, verified.command, 'unknown', json, json);
        return await this.#dispatchAfter(undefined, event, log);
      }
      const result = v.safeParse(spec.schema, json);
      if (!result.success) {
        const path = firstIssuePath(result.issues);
        const message = `payload invalid at ${path}: ${result.issues[0]?.message ?? 'invalid'}`;
        return this.#invalid(spec, new PayloadValidationError(message, path, result.issues), known, log);
      }
      return spec.form === 'ack'
        ? await this.#dispatchAfter(spec, createEvent(query, verified, spec.command, 'after', result.output, json), log)
        : await this.#dispatchBefore(
            spec,
            createEvent(query, verified, spec.command, 'before', result.output, json),
            log,
          );
    } catch (caught) {
      const error = toImCallbackError(caught, known);
      this.#report(error, log);
      return failureResponse(error);
    }
  }

  /**
   * An authenticated JSON body that fails its schema: reported (with the raw payload and the
   * issues), never dispatched, and answered 200, since Tencent does not resend an after-callback
   * and reads `ErrorCode` 1 in a before-callback's reply as "refuse": after-callbacks get the OK
   * ack, before-callbacks the fallback decision.
   */
  #invalid(
    spec: CommandSpec | undefined,
    error: PayloadValidationError,
    known: { command?: string | undefined; payload?: unknown; requestId?: string | undefined },
    log: Logger,
  ): CallbackResponse {
    this.#report(toImCallbackError(error, known), log);
    if (spec === undefined || spec.form === 'ack') return OK_RESPONSE;
    return this.#fallback(spec, decisionInputs(spec, known.payload));
  }

  /** The Web-standard handler: `(Request) => Promise<Response>`, same pipeline and status table. */
  async fetch(request: Request): Promise<Response> {
    let response: CallbackResponse;
    if (request.method !== 'POST') {
      const error = new MethodNotAllowedError(request.method);
      this.#report(error, this.options.logger);
      response = failureResponse(error);
      return new Response(response.body, { status: response.status, headers: { ...response.headers, allow: 'POST' } });
    }
    response = await this.handle({
      query: queryOf(request.url),
      body: () => request.body,
      contentLength: request.headers.get('content-length') ?? undefined,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  }

  /** Observers (`onAny`) of a before-callback: run alongside, their failures reported, never deciding. */
  #notifyObservers(event: AnyCallbackEvent, log: Logger): void {
    for (const handler of this.#anyHandlers) {
      try {
        const result = handler(event);
        if (isThenable(result)) {
          Promise.resolve(result).catch((error: unknown) => this.#reportHandlerFailure(event, error, 200, log));
        }
      } catch (error) {
        this.#reportHandlerFailure(event, error, 200, log);
      }
    }
  }

  /**
   * Synchronous handlers are answered synchronously; only a pending decision is awaited, against
   * the deadline. What a decision is computed against (the friends of the request) is taken from
   * the validated payload before any handler runs, so a handler that changes `event.payload`
   * cannot change the reply, nor make the fallback fail.
   */
  #dispatchBefore(
    spec: CommandSpec,
    event: AnyCallbackEvent,
    log: Logger,
  ): CallbackResponse | Promise<CallbackResponse> {
    const inputs = decisionInputs(spec, event.payload);
    this.#notifyObservers(event, log);
    const chain = this.#handlers.get(spec.command);
    if (chain === undefined) return this.#reply(spec, undefined, inputs, event, log);
    let pending: unknown;
    try {
      pending = this.#decide(chain, 0, event);
    } catch (error) {
      this.#reportHandlerFailure(event, error, 200, log);
      return this.#fallback(spec, inputs);
    }
    return isThenable(pending)
      ? this.#awaitDecision(spec, pending, inputs, event, log)
      : this.#reply(spec, pending, inputs, event, log);
  }

  async #awaitDecision(
    spec: CommandSpec,
    pending: PromiseLike<unknown>,
    inputs: readonly string[],
    event: AnyCallbackEvent,
    log: Logger,
  ): Promise<CallbackResponse> {
    const outcome = await within(settle(pending), this.options.deadline);
    if (outcome === TIMED_OUT) {
      this.#report(new HandlerTimeoutError(this.options.deadline, errorContext(event)), log);
      return this.#fallback(spec, inputs);
    }
    if (!outcome.ok) {
      this.#reportHandlerFailure(event, outcome.error, 200, log);
      return this.#fallback(spec, inputs);
    }
    return this.#reply(spec, outcome.value, inputs, event, log);
  }

  /**
   * The decision's wire reply, or the fallback (reported as DECISION_INVALID) when the decision is
   * not one the command takes, is malformed, or cannot be serialised.
   */
  #reply(
    spec: CommandSpec,
    decision: unknown,
    inputs: readonly string[],
    event: AnyCallbackEvent,
    log: Logger,
  ): CallbackResponse {
    try {
      return {
        status: 200,
        body: replyFor(spec, decision as BeforeDecision | undefined, inputs),
        headers: JSON_HEADERS,
      };
    } catch (caught) {
      const error = toImCallbackError(
        caught,
        errorContext(event),
        (cause) => new DecisionError(`${spec.command} decision could not be sent: ${describe(cause)}`, { cause }),
      );
      this.#report(error, log);
      return this.#fallback(spec, inputs);
    }
  }

  /**
   * The first handler that returns something decides; the rest are not called. Synchronous
   * handlers are called synchronously; from the first one that returns a promise on, the chain
   * continues asynchronously.
   */
  #decide(chain: readonly AnyHandler[], from: number, event: AnyCallbackEvent): unknown {
    for (let i = from; i < chain.length; i++) {
      const result = (chain[i] as (event: AnyCallbackEvent) => unknown)(event);
      if (isThenable(result)) {
        return Promise.resolve(result).then((value) =>
          value !== undefined ? value : this.#decide(chain, i + 1, event),
        );
      }
      if (result !== undefined) return result;
    }
    return undefined;
  }

  /** The fallback decision's reply: built from the snapshot of the request, so it cannot fail. */
  #fallback(spec: CommandSpec, inputs: readonly string[]): CallbackResponse {
    return { status: 200, body: fallbackReply(spec, this.options.fallback, inputs), headers: JSON_HEADERS };
  }

  /**
   * After-callbacks (and unknown commands): all handlers run at once; the answer is OK when they
   * finish, 500 if one failed, or OK at the deadline while the late ones keep running (their
   * failures still reach onError).
   */
  async #dispatchAfter(spec: CommandSpec | undefined, event: AnyCallbackEvent, log: Logger): Promise<CallbackResponse> {
    const specific = spec === undefined ? undefined : this.#handlers.get(spec.command);
    if (specific === undefined && this.#anyHandlers.length === 0) return OK_RESPONSE;
    const pending: Promise<Settled>[] = [];
    let failure: unknown;
    let failed = false;
    const run = (handler: AnyHandler): void => {
      try {
        const result = (handler as (event: AnyCallbackEvent) => unknown)(event);
        if (isThenable(result)) pending.push(settle(result));
      } catch (error) {
        this.#reportHandlerFailure(event, error, 500, log);
        if (!failed) {
          failed = true;
          failure = error;
        }
      }
    };
    if (specific !== undefined) for (const handler of specific) run(handler);
    for (const handler of this.#anyHandlers) run(handler as AnyHandler);

    if (pending.length > 0) {
      const all = Promise.all(pending);
      const outcome = await within(all, this.options.deadline);
      if (outcome === TIMED_OUT) {
        // Answered OK below; late failures are still reported, with the status that was sent.
        const status = failed ? 500 : 200;
        void all.then((results) => {
          for (const result of results) if (!result.ok) this.#reportHandlerFailure(event, result.error, status, log);
        });
      } else {
        for (const result of outcome) {
          if (result.ok) continue;
          this.#reportHandlerFailure(event, result.error, 500, log);
          if (!failed) {
            failed = true;
            failure = result.error;
          }
        }
      }
    }
    if (!failed) return OK_RESPONSE;
    return failureResponse(new HandlerError(500, describe(failure), errorContext(event)));
  }

  #reportHandlerFailure(event: AnyCallbackEvent, cause: unknown, status: number, log: Logger): void {
    this.#report(
      new HandlerError(status, `handler for ${event.command} failed: ${describe(cause)}`, {
        ...errorContext(event),
        cause,
      }),
      log,
    );
  }

  /** Hands a typed error to the onError handlers (or the log when there are none). */
  #report(error: ImCallbackError, logger: Logger): void {
    const line = `${error.code} ${error.command ?? '-'}${error.requestId ? ` ${error.requestId}` : ''}: ${error.message}`;
    if (this.#errorHandlers.length === 0) {
      if (error.status >= 500 || error.code === 'HANDLER_FAILED') logger.error(line);
      else logger.warn(line);
      return;
    }
    logger.debug(line);
    for (const handler of this.#errorHandlers) {
      try {
        const result = handler(error);
        if (isThenable(result)) {
          Promise.resolve(result).catch((failure: unknown) =>
            logger.error(`onError handler failed: ${describe(failure)}`),
          );
        }
      } catch (failure) {
        logger.error(`onError handler failed: ${describe(failure)}`);
      }
    }
  }
}

/** Creates a receiver (the framework-free core every adapter wraps). */
export function createReceiver(options: ReceiverOptions): CallbackReceiver {
  return new CallbackReceiver(options);
}
