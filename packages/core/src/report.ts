/**
 * Owns reporting: every typed error goes to the `onError` handlers, or, when there are none, to the
 * log (warnings for refusals, errors for failures). A failing `onError` handler is logged, never thrown.
 */
import type { ImCallbackError } from './errors.js';
import { describeError } from './errors.js';
import type { ErrorHandler } from './events.js';
import type { Logger } from './logger.js';

export class Reporter {
  readonly #handlers: ErrorHandler[] = [];

  add(handler: ErrorHandler): void {
    this.#handlers.push(handler);
  }

  /** Removes every registration of `handler`; whether there was one. */
  remove(handler: unknown): boolean {
    let removed = false;
    for (
      let i = this.#handlers.indexOf(handler as ErrorHandler);
      i !== -1;
      i = this.#handlers.indexOf(handler as ErrorHandler)
    ) {
      this.#handlers.splice(i, 1);
      removed = true;
    }
    return removed;
  }

  /**
   * Never throws and leaves no promise unhandled, whatever a handler throws or rejects with (the
   * caller is answering the IM backend), nor whatever the logger does.
   */
  report(error: ImCallbackError, logger: Logger): void {
    const line = `${error.code} ${error.command ?? '-'}${error.requestId ? ` ${error.requestId}` : ''}: ${error.message}`;
    if (this.#handlers.length === 0) {
      if (error.status >= 500 || error.code === 'HANDLER_FAILED') log(logger, 'error', line);
      else log(logger, 'warn', line);
      return;
    }
    log(logger, 'debug', line);
    for (const handler of this.#handlers) {
      try {
        const result = handler(error);
        if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
          // `Promise.resolve` adopts the thenable (or rejects if adopting throws); the catch ends the chain.
          Promise.resolve(result).catch((failure: unknown) => handlerFailed(logger, failure));
        }
      } catch (failure) {
        handlerFailed(logger, failure);
      }
    }
  }
}

function handlerFailed(logger: Logger, failure: unknown): void {
  log(logger, 'error', `onError handler failed: ${describeError(failure)}`);
}

/** A log line that cannot throw: a failing logger must not turn a report into a crash. */
function log(logger: Logger, level: 'debug' | 'warn' | 'error', line: string): void {
  try {
    logger[level](line);
  } catch {
    // Nowhere left to say it.
  }
}
