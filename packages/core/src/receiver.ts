/**
 * The receiver: verify the query, read and parse the body, validate, dispatch to handlers and
 * answer in time. Adapters translate their framework's request into a `CallbackRequest` and
 * write back the `CallbackResponse`; all protocol behaviour lives here.
 */
import * as v from 'valibot';
import { assertNoForbiddenKey, type BodySource, bodyInMemory, parseJson, readStreamBody } from './body.js';
import type { CommandSpec } from './catalogue/define.js';
import type { CommandName } from './catalogue/index.js';
import { commandSpec, isKnownCommand } from './catalogue/index.js';
import { allow, type BeforeDecision, reject } from './decisions.js';
import {
  HandlerError,
  HandlerTimeoutError,
  ImCallbackError,
  InternalError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadValidationError,
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
import { type CallbackQuery, parseQuery, type QueryInput, type VerifiedQuery, verifyQuery } from './query.js';
import { type CallbackResponse, failureResponse, JSON_HEADERS, OK_RESPONSE, replyFor } from './reply.js';

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

  constructor(options: ReceiverOptions) {
    this.options = resolveOptions(options);
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
    let command: string | undefined;
    let payload: unknown;
    const log = request.logger ?? this.options.logger;
    try {
      const query = parseQuery(request.query);
      command = query.callbackcommand;
      const verified = verifyQuery(query, this.options);
      const source = typeof request.body === 'function' ? request.body() : request.body;
      // In-memory bodies are taken synchronously; only a stream is awaited.
      const body =
        bodyInMemory(source, this.options.bodyLimit) ??
        (await readStreamBody(source, this.options.bodyLimit, toLength(request.contentLength)));
      let json: unknown;
      if ('text' in body) {
        payload = body.text;
        json = parseJson(body.text);
      } else {
        json = body.parsed;
        assertNoForbiddenKey(json);
      }
      payload = json;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw new PayloadValidationError('body must be a JSON object', '(body)', []);
      }
      const bodyCommand = (json as Record<string, unknown>).CallbackCommand;
      if (bodyCommand !== undefined && bodyCommand !== verified.command) {
        throw new MalformedRequestError('COMMAND_MISMATCH', 'body CallbackCommand differs from the query');
      }
      const spec = commandSpec(verified.command);
      if (spec === undefined) {
        const event = createEvent(query, verified, verified.command, 'unknown', json, json);
        return await this.#dispatchAfter(undefined, event, log);
      }
      const result = v.safeParse(spec.schema, json);
      if (!result.success) {
        const path = firstIssuePath(result.issues);
        throw new PayloadValidationError(
          `payload invalid at ${path}: ${result.issues[0]?.message ?? 'invalid'}`,
          path,
          result.issues,
        );
      }
      return spec.form === 'ack'
        ? await this.#dispatchAfter(spec, createEvent(query, verified, spec.command, 'after', result.output, json), log)
        : await this.#dispatchBefore(
            spec,
            createEvent(query, verified, spec.command, 'before', result.output, json),
            log,
          );
    } catch (caught) {
      const error = caught instanceof ImCallbackError ? caught : new InternalError({ cause: caught });
      error.command ??= command;
      if (error.payload === undefined) error.payload = payload;
      this.#report(error, log);
      return failureResponse(error);
    }
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
    const url = request.url;
    const at = url.indexOf('?');
    response = await this.handle({
      query: at === -1 ? '' : (url.slice(at + 1).split('#')[0] ?? ''),
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

  /** Synchronous handlers are answered synchronously; only a pending decision is awaited, against the deadline. */
  #dispatchBefore(
    spec: CommandSpec,
    event: AnyCallbackEvent,
    log: Logger,
  ): CallbackResponse | Promise<CallbackResponse> {
    this.#notifyObservers(event, log);
    const chain = this.#handlers.get(spec.command);
    if (chain === undefined) return this.#reply(spec, undefined, event, log);
    let pending: unknown;
    try {
      pending = this.#decide(chain, 0, event);
    } catch (error) {
      this.#reportHandlerFailure(event, error, 200, log);
      return this.#fallback(spec, event);
    }
    return isThenable(pending)
      ? this.#awaitDecision(spec, pending, event, log)
      : this.#reply(spec, pending, event, log);
  }

  async #awaitDecision(
    spec: CommandSpec,
    pending: PromiseLike<unknown>,
    event: AnyCallbackEvent,
    log: Logger,
  ): Promise<CallbackResponse> {
    const outcome = await within(settle(pending), this.options.deadline);
    if (outcome === TIMED_OUT) {
      this.#report(new HandlerTimeoutError(this.options.deadline, { command: spec.command, payload: event.raw }), log);
      return this.#fallback(spec, event);
    }
    if (!outcome.ok) {
      this.#reportHandlerFailure(event, outcome.error, 200, log);
      return this.#fallback(spec, event);
    }
    return this.#reply(spec, outcome.value, event, log);
  }

  /** The decision's wire reply, or the fallback (reported) when the decision is not one the command takes. */
  #reply(spec: CommandSpec, decision: unknown, event: AnyCallbackEvent, log: Logger): CallbackResponse {
    try {
      return {
        status: 200,
        body: replyFor(spec, decision as BeforeDecision | undefined, event.payload),
        headers: JSON_HEADERS,
      };
    } catch (error) {
      const reported = error as ImCallbackError;
      reported.command = spec.command;
      reported.payload = event.raw;
      this.#report(reported, log);
      return this.#fallback(spec, event);
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

  #fallback(spec: CommandSpec, event: AnyCallbackEvent): CallbackResponse {
    const decision = this.options.fallback === 'reject' ? reject() : allow();
    return { status: 200, body: replyFor(spec, decision, event.payload), headers: JSON_HEADERS };
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
    return failureResponse(new HandlerError(500, describe(failure), { command: event.command }));
  }

  #reportHandlerFailure(event: AnyCallbackEvent, cause: unknown, status: number, log: Logger): void {
    this.#report(
      new HandlerError(status, `handler for ${event.command} failed: ${describe(cause)}`, {
        command: event.command,
        payload: event.raw,
        cause,
      }),
      log,
    );
  }

  #report(error: ImCallbackError, logger: Logger): void {
    const line = `${error.code} ${error.command ?? '-'}: ${error.message}`;
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
