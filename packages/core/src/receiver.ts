/**
 * The receiver: verify the query, read and parse the body, validate, dispatch to handlers and
 * answer in time. Adapters translate their framework's request into a `CallbackRequest` and
 * write back the `CallbackResponse`; all protocol behaviour lives here.
 */
import * as v from 'valibot';
import { assertNoForbiddenKey, type BodySource, parseJson, readBody } from './body.js';
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
  CallbackContext,
  CallbackHandler,
  CallbackHandlers,
  ErrorHandler,
} from './events.js';
import type { Logger } from './logger.js';
import { type ReceiverOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { parseQuery, type QueryInput, verifyQuery } from './query.js';
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
      const body = await readBody(source, this.options.bodyLimit, toLength(request.contentLength));
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
      const context: CallbackContext = {
        sdkAppId: verified.sdkAppId,
        clientIp: query.clientip,
        optPlatform: query.optplatform,
        requestTime: verified.requestTime,
        query: query.params,
      };
      const spec = commandSpec(verified.command);
      if (spec === undefined) {
        const event = {
          ...context,
          command: verified.command,
          kind: 'unknown',
          payload: json,
          raw: json,
        } as AnyCallbackEvent;
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
      const event = {
        ...context,
        command: spec.command,
        kind: spec.form === 'ack' ? 'after' : 'before',
        payload: result.output,
        raw: json,
      };
      return spec.form === 'ack'
        ? await this.#dispatchAfter(spec, event as AnyCallbackEvent, log)
        : await this.#dispatchBefore(spec, event as AnyCallbackEvent, log);
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

  async #dispatchBefore(spec: CommandSpec, event: AnyCallbackEvent, log: Logger): Promise<CallbackResponse> {
    this.#notifyObservers(event, log);
    const chain = this.#handlers.get(spec.command);
    let decision: BeforeDecision | undefined;
    if (chain !== undefined) {
      let pending: unknown;
      try {
        pending = this.#decide(chain, 0, event);
      } catch (error) {
        this.#reportHandlerFailure(event, error, 200, log);
        return this.#fallback(spec, event);
      }
      if (isThenable(pending)) {
        // Only an asynchronous handler needs the deadline (and its timer).
        const outcome = await within(settle(pending), this.options.deadline);
        if (outcome === TIMED_OUT) {
          this.#report(
            new HandlerTimeoutError(this.options.deadline, { command: spec.command, payload: event.raw }),
            log,
          );
          return this.#fallback(spec, event);
        }
        if (!outcome.ok) {
          this.#reportHandlerFailure(event, outcome.error, 200, log);
          return this.#fallback(spec, event);
        }
        pending = outcome.value;
      }
      decision = pending as BeforeDecision | undefined;
    }
    try {
      return { status: 200, body: replyFor(spec, decision, event.payload), headers: JSON_HEADERS };
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
