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

  report(error: ImCallbackError, logger: Logger): void {
    const line = `${error.code} ${error.command ?? '-'}${error.requestId ? ` ${error.requestId}` : ''}: ${error.message}`;
    if (this.#handlers.length === 0) {
      if (error.status >= 500 || error.code === 'HANDLER_FAILED') logger.error(line);
      else logger.warn(line);
      return;
    }
    logger.debug(line);
    for (const handler of this.#handlers) {
      try {
        const result = handler(error);
        if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
          Promise.resolve(result).catch((failure: unknown) =>
            logger.error(`onError handler failed: ${describeError(failure)}`),
          );
        }
      } catch (failure) {
        logger.error(`onError handler failed: ${describeError(failure)}`);
      }
    }
  }
}
