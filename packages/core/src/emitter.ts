/**
 * Owns running a verified, validated callback's handlers (the registry's) and turning what they
 * did into the answer: a before-callback's handlers decide within the deadline, or the fallback is
 * sent; an after-callback is acknowledged when its handlers finish, with a 500 if one failed, or at
 * the deadline while the late ones keep running. Every failure is reported as a typed error and
 * noted in the callback's trace. Work that outlives the answer (late handlers, observers, a chain
 * still deciding after the fallback) is given to the receiver's `InFlight`, so `close()` waits for
 * it. Everything it needs is on the callback (event, spec, logger, deadline, trace). No HTTP here.
 */
import type { Answer, Callback } from './callback.js';
import type { CommandSpec } from './catalogue/define.js';
import type { BeforeDecision } from './decisions.js';
import { traceDecision, traceError } from './diagnostics.js';
import {
  DecisionError,
  describeError,
  ERROR_STATUS,
  HandlerError,
  HandlerTimeoutError,
  type ImCallbackError,
  toImCallbackError,
} from './errors.js';
import { eventContext } from './event.js';
import type { AnyCallbackEvent } from './events.js';
import { InFlight } from './inflight.js';
import {
  type CallbackResponse,
  decisionInputs,
  failureResponse,
  fallbackReply,
  OK_RESPONSE,
  okResponse,
  replyFor,
} from './pipeline/reply.js';
import type { Handler, Registry } from './registration.js';
import type { Reporter } from './report.js';
import { isThenable, type Settled, settle, TIMED_OUT, within } from './settle.js';

type Run = (event: AnyCallbackEvent) => unknown;

export class CallbackEmitter {
  constructor(
    readonly registry: Registry,
    readonly reporter: Reporter,
    readonly fallbackDecision: 'allow' | 'reject',
    readonly now: () => number,
    /** Where work that may outlive the answer is counted (the receiver's, for `close()`). */
    readonly inFlight: InFlight = new InFlight(),
  ) {}

  /** Runs the callback's handlers: known commands by their spec, unknown ones (no spec) to `onAny`. */
  emit(callback: Callback): Answer {
    const spec = callback.spec;
    return spec !== undefined && spec.form !== 'ack' ? this.#before(callback, spec) : this.#after(callback, spec);
  }

  /** The fallback decision's answer (for a payload that failed its schema, a handler that failed...). */
  fallback(spec: CommandSpec, inputs: readonly string[]): CallbackResponse {
    return okResponse(fallbackReply(spec, this.fallbackDecision, inputs));
  }

  /** Reports an error of this callback, and notes it in its trace. */
  report(callback: Callback, error: ImCallbackError): void {
    this.reporter.report(error, callback.log);
    traceError(callback, error);
  }

  /**
   * What the reply is computed against (the friends of the request) is taken from the validated
   * payload before any handler runs, so a handler that changes `event.payload` cannot change the
   * reply, nor make the fallback fail. Synchronous handlers are answered synchronously.
   */
  #before(callback: Callback, spec: CommandSpec): Answer {
    const event = callback.event as AnyCallbackEvent;
    const inputs = decisionInputs(spec, event.payload);
    // Observers: run alongside, their failures reported, never deciding.
    for (const handler of this.registry.any) this.#observe(callback, handler as Run);
    const chain = this.registry.handlersOf(spec.command) as readonly Run[] | undefined;
    let pending: unknown;
    try {
      pending = chain === undefined ? undefined : this.#decide(chain, 0, event);
    } catch (error) {
      this.#handlerFailed(callback, error, true);
      return this.fallback(spec, inputs);
    }
    return isThenable(pending)
      ? this.#awaitDecision(callback, spec, pending, inputs)
      : this.#reply(callback, spec, pending, inputs);
  }

  #observe(callback: Callback, handler: Run): void {
    try {
      const result = handler(callback.event as AnyCallbackEvent);
      if (isThenable(result)) {
        const observed = settle(result).then((s) => s.ok || this.#handlerFailed(callback, s.error, true));
        this.inFlight.track(callback, observed);
      }
    } catch (error) {
      this.#handlerFailed(callback, error, true);
    }
  }

  /** The first handler that returns something decides; from the first promise on, the chain goes on asynchronously. */
  #decide(chain: readonly Run[], from: number, event: AnyCallbackEvent): unknown {
    for (let i = from; i < chain.length; i++) {
      const result = (chain[i] as Run)(event);
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
    callback: Callback,
    spec: CommandSpec,
    pending: PromiseLike<unknown>,
    inputs: readonly string[],
  ): Promise<CallbackResponse> {
    const deadline = callback.left(this.now());
    const deciding = settle(pending);
    const outcome = await within(deciding, deadline);
    if (outcome === TIMED_OUT) {
      // The chain runs on after the fallback (its handlers may write somewhere): in flight until it ends.
      this.inFlight.track(callback, deciding);
      this.report(callback, new HandlerTimeoutError(deadline, eventContext(callback.event as AnyCallbackEvent)));
      return this.fallback(spec, inputs);
    }
    if (!outcome.ok) {
      this.#handlerFailed(callback, outcome.error, true);
      return this.fallback(spec, inputs);
    }
    return this.#reply(callback, spec, outcome.value, inputs);
  }

  /** The decision's reply, or the fallback (DECISION_INVALID reported) when it cannot be sent. */
  #reply(callback: Callback, spec: CommandSpec, decision: unknown, inputs: readonly string[]): CallbackResponse {
    try {
      const body = replyFor(spec, decision as BeforeDecision | undefined, inputs);
      traceDecision(callback, decision as BeforeDecision | undefined);
      return body === OK_RESPONSE.body ? OK_RESPONSE : okResponse(body);
    } catch (caught) {
      const error = toImCallbackError(
        caught,
        eventContext(callback.event as AnyCallbackEvent),
        (details) => new DecisionError(`${spec.command} decision could not be sent: ${describeError(caught)}`, details),
      );
      this.report(callback, error);
      return this.fallback(spec, inputs);
    }
  }

  /**
   * After-callbacks and unknown commands: every handler runs at once. Answered synchronously when
   * every handler returned synchronously; otherwise when they settle, or at the deadline.
   */
  #after(callback: Callback, spec: CommandSpec | undefined): Answer {
    const specific = spec === undefined ? undefined : this.registry.handlersOf(spec.command);
    const any = this.registry.any;
    if (specific === undefined && any.length === 0) return OK_RESPONSE;
    const event = callback.event as AnyCallbackEvent;
    let pending: Promise<Settled>[] | undefined;
    let failure: { error: unknown } | undefined;
    for (const handler of (specific === undefined ? any : [...specific, ...any]) as readonly Handler[]) {
      try {
        const result = (handler as Run)(event);
        if (isThenable(result)) {
          pending ??= [];
          pending.push(settle(result));
        }
      } catch (error) {
        this.#handlerFailed(callback, error, false);
        failure ??= { error };
      }
    }
    if (pending === undefined) return this.#acknowledge(callback, failure);
    return this.#afterPending(callback, pending, failure);
  }

  async #afterPending(
    callback: Callback,
    pending: Promise<Settled>[],
    failure: { error: unknown } | undefined,
  ): Promise<CallbackResponse> {
    const all = Promise.all(pending);
    const outcome = await within(all, callback.left(this.now()));
    if (outcome === TIMED_OUT) {
      // Answered below; late failures are still reported, with the status that was sent.
      const answered = failure === undefined;
      const late = all.then((results) => {
        for (const result of results) if (!result.ok) this.#handlerFailed(callback, result.error, answered);
      });
      this.inFlight.track(callback, late);
    } else {
      for (const result of outcome) {
        if (result.ok) continue;
        this.#handlerFailed(callback, result.error, false);
        failure ??= { error: result.error };
      }
    }
    return this.#acknowledge(callback, failure);
  }

  #acknowledge(callback: Callback, failure: { error: unknown } | undefined): CallbackResponse {
    if (failure === undefined) return OK_RESPONSE;
    const context = eventContext(callback.event as AnyCallbackEvent);
    return failureResponse(new HandlerError(ERROR_STATUS.HANDLER_FAILED, describeError(failure.error), context));
  }

  /**
   * A handler failed. `answered`: the callback was answered anyway (the fallback decision, or the
   * ack already sent), so the error carries the OK answer's status, not its own table status.
   */
  #handlerFailed(callback: Callback, cause: unknown, answered: boolean): void {
    const event = callback.event as AnyCallbackEvent;
    const message = `handler for ${event.command} failed: ${describeError(cause)}`;
    const status = answered ? OK_RESPONSE.status : ERROR_STATUS.HANDLER_FAILED;
    this.report(callback, new HandlerError(status, message, { ...eventContext(event), cause }));
  }
}
