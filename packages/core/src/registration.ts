/**
 * Owns the receiver's registration methods (`on`, `onAny`, `onError`, `off`), bound so they can be
 * passed on their own, over the emitter (handlers) and the reporter (error handlers) it creates.
 */
import { type CommandName, isKnownCommand } from './catalogue/index.js';
import { CallbackEmitter, type EmitterOptions } from './emitter.js';
import type { AnyCallbackHandler, CallbackHandler, ErrorHandler } from './events.js';
import { Reporter } from './report.js';

function checkHandler(handler: unknown): void {
  if (typeof handler !== 'function') throw new TypeError('im-callbacks: handler must be a function');
}

export class Registration {
  protected readonly reporter = new Reporter();
  protected readonly emitter: CallbackEmitter;

  constructor(options: EmitterOptions) {
    this.emitter = new CallbackEmitter(options, this.reporter);
    this.on = this.on.bind(this);
    this.onAny = this.onAny.bind(this);
    this.onError = this.onError.bind(this);
    this.off = this.off.bind(this);
  }

  /** Handle `command` (or each of a list). For a before-callback, the first handler that returns a decision decides. */
  on<C extends CommandName>(command: C | readonly C[], handler: CallbackHandler<C>): this {
    checkHandler(handler);
    const commands: readonly string[] = typeof command === 'string' ? [command] : command;
    for (const name of commands) {
      if (!isKnownCommand(name))
        throw new TypeError(
          `im-callbacks: unknown command ${JSON.stringify(name)}; use onAny for commands this version does not know`,
        );
    }
    for (const name of commands) this.emitter.on(name as C, handler);
    return this;
  }

  /** See every event, unknown commands included. Return values are ignored (observers). */
  onAny(handler: AnyCallbackHandler): this {
    checkHandler(handler);
    this.emitter.onAny(handler);
    return this;
  }

  /** Every refusal and every handler failure, as a typed `ImCallbackError`. */
  onError(handler: ErrorHandler): this {
    checkHandler(handler);
    this.reporter.add(handler);
    return this;
  }

  /** Removes a handler given to `on` (from `commands` only, when given), `onAny` or `onError`. */
  off(handler: (...args: never[]) => unknown, commands?: CommandName | readonly CommandName[]): this {
    const names = typeof commands === 'string' ? [commands] : commands;
    this.emitter.off(handler, names);
    if (names === undefined) this.reporter.remove(handler);
    return this;
  }
}
