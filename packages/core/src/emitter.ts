/**
 * Owns registration (`on`, `onAny`, `off`) and the dispatch of an already verified and validated
 * event: a before-callback's handlers decide within the deadline, or the fallback is sent; an
 * after-callback is acknowledged when its handlers finish, with a 500 if one failed, or at the
 * deadline while the late ones keep running. Every failure is reported as a typed error. No HTTP here.
 */
import type { CommandSpec } from './catalogue/define.js';
import type { CommandName } from './catalogue/index.js';
import type { BeforeDecision } from './decisions.js';
import { traceDecision, traceFailure } from './diagnostics.js';
import {
  DecisionError,
  describeError,
  HandlerError,
  HandlerTimeoutError,
  type ImCallbackError,
  toImCallbackError,
} from './errors.js';
import { eventContext } from './event.js';
import type { AnyCallbackEvent, AnyCallbackHandler, CallbackHandler } from './events.js';
import type { Logger } from './logger.js';
import {
  type CallbackResponse,
  decisionInputs,
  failureResponse,
  fallbackReply,
  OK_RESPONSE,
  okResponse,
  replyFor,
} from './pipeline/reply.js';
import type { Reporter } from './report.js';
import { isThenable, removeFrom, type Settled, settle, TIMED_OUT, within } from './settle.js';

type Handler = (event: AnyCallbackEvent) => unknown;
export interface EmitterOptions {
  readonly deadline: number;
  readonly fallback: 'allow' | 'reject';
}

export class CallbackEmitter {
  readonly #handlers = new Map<string, Handler[]>();
  readonly #anyHandlers: Handler[] = [];

  constructor(
    readonly options: EmitterOptions,
    readonly reporter: Reporter,
  ) {}

  on<C extends CommandName>(command: C, handler: CallbackHandler<C>): void {
    const list = this.#handlers.get(command);
    if (list) list.push(handler as Handler);
    else this.#handlers.set(command, [handler as Handler]);
  }

  onAny(handler: AnyCallbackHandler): void {
    this.#anyHandlers.push(handler);
  }

  /** Removes `handler` from `commands` (every command when omitted) and from `onAny`; whether it was there. */
  off(handler: unknown, commands?: readonly string[]): boolean {
    let removed = false;
    for (const [command, list] of this.#handlers) {
      if (commands === undefined || commands.includes(command)) removed = removeFrom(list, handler) || removed;
    }
    if (commands === undefined) removed = removeFrom(this.#anyHandlers, handler) || removed;
    return removed;
  }

  /** Dispatches an event: known commands by their spec, unknown ones (`spec` undefined) to `onAny`. */
  emit(
    spec: CommandSpec | undefined,
    event: AnyCallbackEvent,
    log: Logger,
    deadline = this.options.deadline,
  ): CallbackResponse | Promise<CallbackResponse> {
    return spec !== undefined && spec.form !== 'ack'
      ? this.#before(spec, event, log, deadline)
      : this.#after(spec, event, log, deadline);
  }

  /** The fallback decision's answer (for a payload that failed its schema, a handler that failed...). */
  fallback(spec: CommandSpec, inputs: readonly string[]): CallbackResponse {
    return okResponse(fallbackReply(spec, this.options.fallback, inputs));
  }

  /**
   * What the reply is computed against (the friends of the request) is taken from the validated
   * payload before any handler runs, so a handler that changes `event.payload` cannot change the
   * reply, nor make the fallback fail. Synchronous handlers are answered synchronously.
   */
  #before(
    spec: CommandSpec,
    event: AnyCallbackEvent,
    log: Logger,
    deadline: number,
  ): CallbackResponse | Promise<CallbackResponse> {
    const inputs = decisionInputs(spec, event.payload);
    // Observers: run alongside, their failures reported, never deciding.
    for (const handler of this.#anyHandlers) this.#observe(handler, event, log);
    const chain = this.#handlers.get(spec.command);
    let pending: unknown;
    try {
      pending = chain === undefined ? undefined : this.#decide(chain, 0, event);
    } catch (error) {
      this.#handlerFailed(event, error, 200, log);
      return this.fallback(spec, inputs);
    }
    return isThenable(pending)
      ? this.#awaitDecision(spec, pending, inputs, event, log, deadline)
      : this.#reply(spec, pending, inputs, event, log);
  }

  #observe(handler: Handler, event: AnyCallbackEvent, log: Logger): void {
    try {
      const result = handler(event);
      if (isThenable(result)) settle(result).then((s) => s.ok || this.#handlerFailed(event, s.error, 200, log));
    } catch (error) {
      this.#handlerFailed(event, error, 200, log);
    }
  }

  /** The first handler that returns something decides; from the first promise on, the chain goes on asynchronously. */
  #decide(chain: readonly Handler[], from: number, event: AnyCallbackEvent): unknown {
    for (let i = from; i < chain.length; i++) {
      const result = (chain[i] as Handler)(event);
      if (isThenable(result)) {
        return Promise.resolve(result).then((value) =>
          value !== undefined ? value : this.#decide(chain, i + 1, event),
        );
      }
      if (result !== undefined) return result;
    }
    return undefined;
  }

  async #awaitDecision(
    spec: CommandSpec,
    pending: PromiseLike<unknown>,
    inputs: readonly string[],
    event: AnyCallbackEvent,
    log: Logger,
    deadline: number,
  ): Promise<CallbackResponse> {
    const outcome = await within(settle(pending), deadline);
    if (outcome === TIMED_OUT) {
      this.#report(event, new HandlerTimeoutError(deadline, eventContext(event)), log);
      return this.fallback(spec, inputs);
    }
    if (!outcome.ok) {
      this.#handlerFailed(event, outcome.error, 200, log);
      return this.fallback(spec, inputs);
    }
    return this.#reply(spec, outcome.value, inputs, event, log);
  }

  /** The decision's reply, or the fallback (DECISION_INVALID reported) when it cannot be sent. */
  #reply(spec: CommandSpec, decision: unknown, inputs: readonly string[], event: AnyCallbackEvent, log: Logger) {
    try {
      const body = replyFor(spec, decision as BeforeDecision | undefined, inputs);
      traceDecision(event, decision);
      return body === OK_RESPONSE.body ? OK_RESPONSE : okResponse(body);
    } catch (caught) {
      const error = toImCallbackError(
        caught,
        eventContext(event),
        (details) => new DecisionError(`${spec.command} decision could not be sent: ${describeError(caught)}`, details),
      );
      this.#report(event, error, log);
      return this.fallback(spec, inputs);
    }
  }

  /**
   * After-callbacks and unknown commands: every handler runs at once. Answered synchronously when
   * every handler returned synchronously; otherwise when they settle, or at the deadline.
   */
  #after(
    spec: CommandSpec | undefined,
    event: AnyCallbackEvent,
    log: Logger,
    deadline: number,
  ): CallbackResponse | Promise<CallbackResponse> {
    const specific = spec === undefined ? undefined : this.#handlers.get(spec.command);
    if (specific === undefined && this.#anyHandlers.length === 0) return OK_RESPONSE;
    let pending: Promise<Settled>[] | undefined;
    let failure: { error: unknown } | undefined;
    for (const handler of specific === undefined ? this.#anyHandlers : [...specific, ...this.#anyHandlers]) {
      try {
        const result = handler(event);
        if (isThenable(result)) {
          pending ??= [];
          pending.push(settle(result));
        }
      } catch (error) {
        this.#handlerFailed(event, error, 500, log);
        failure ??= { error };
      }
    }
    if (pending === undefined) return this.#acknowledge(failure, event);
    return this.#afterPending(pending, failure, event, log, deadline);
  }

  async #afterPending(
    pending: Promise<Settled>[],
    failure: { error: unknown } | undefined,
    event: AnyCallbackEvent,
    log: Logger,
    deadline: number,
  ): Promise<CallbackResponse> {
    const all = Promise.all(pending);
    const outcome = await within(all, deadline);
    if (outcome === TIMED_OUT) {
      // Answered below; late failures are still reported, with the status that was sent.
      const status = failure === undefined ? 200 : 500;
      void all.then((results) => {
        for (const result of results) if (!result.ok) this.#handlerFailed(event, result.error, status, log);
      });
    } else {
      for (const result of outcome) {
        if (result.ok) continue;
        this.#handlerFailed(event, result.error, 500, log);
        failure ??= { error: result.error };
      }
    }
    return this.#acknowledge(failure, event);
  }

  #acknowledge(failure: { error: unknown } | undefined, event: AnyCallbackEvent): CallbackResponse {
    if (failure === undefined) return OK_RESPONSE;
    return failureResponse(new HandlerError(500, describeError(failure.error), eventContext(event)));
  }

  #handlerFailed(event: AnyCallbackEvent, cause: unknown, status: number, log: Logger): void {
    const message = `handler for ${event.command} failed: ${describeError(cause)}`;
    this.#report(event, new HandlerError(status, message, { ...eventContext(event), cause }), log);
  }

  /** Reports an error of this event's handlers, and notes it in the event's trace when it has one. */
  #report(event: AnyCallbackEvent, error: ImCallbackError, log: Logger): void {
    this.reporter.report(error, log);
    traceFailure(event, error);
  }
}
