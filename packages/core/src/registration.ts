/**
 * Owns registration, the one place `on`, `onAny`, `onError` and `off` are defined: the `Registry`
 * that checks and keeps the handlers (the emitter reads them, the reporter keeps the error
 * handlers), and `addRegistration`, which gives any object (the receiver itself, an adapter's
 * middleware, a plugin's decoration) those four methods, bound and returning that object so calls
 * chain. Adapters forward to the receiver's public methods, so an adapter loaded from the other
 * module format (ESM or CJS) than its receiver still works.
 */
import { type CommandName, isKnownCommand } from './catalogue/index.js';
import type { AnyCallbackHandler, CallbackHandler, CallbackHandlers, ErrorHandler } from './events.js';
import type { Reporter } from './report.js';

export type Handler = (event: never) => unknown;

/** The registration methods, by name: what `attachHandlers` puts on an object. */
const METHODS = ['on', 'onAny', 'onError', 'off'] as const satisfies readonly (keyof CallbackHandlers<unknown>)[];

function checkHandler(handler: unknown): void {
  if (typeof handler !== 'function') throw new TypeError('im-callbacks: handler must be a function');
}

function removeFrom(list: unknown[], handler: unknown): boolean {
  const before = list.length;
  for (let i = list.indexOf(handler); i !== -1; i = list.indexOf(handler)) list.splice(i, 1);
  return list.length !== before;
}

/** A receiver's handlers: per command, for every event (`onAny`), and (through the reporter) for errors. */
export class Registry {
  readonly #byCommand = new Map<string, Handler[]>();
  /** Every `onAny` handler, in registration order. */
  readonly any: Handler[] = [];

  constructor(readonly reporter: Reporter) {}

  /** The handlers of `command`, in registration order; undefined when there are none. */
  handlersOf(command: string): readonly Handler[] | undefined {
    return this.#byCommand.get(command);
  }

  on(command: CommandName | readonly CommandName[], handler: CallbackHandler<never>): void {
    checkHandler(handler);
    const commands: readonly string[] = typeof command === 'string' ? [command] : command;
    for (const name of commands) {
      if (!isKnownCommand(name))
        throw new TypeError(
          `im-callbacks: unknown command ${JSON.stringify(name)}; use onAny for commands this version does not know`,
        );
    }
    for (const name of commands) {
      const list = this.#byCommand.get(name);
      if (list) list.push(handler as Handler);
      else this.#byCommand.set(name, [handler as Handler]);
    }
  }

  onAny(handler: AnyCallbackHandler): void {
    checkHandler(handler);
    this.any.push(handler as Handler);
  }

  onError(handler: ErrorHandler): void {
    checkHandler(handler);
    this.reporter.add(handler);
  }

  /** Removes `handler` from `commands` (every command, `onAny` and `onError` when omitted). */
  off(handler: (...args: never[]) => unknown, commands?: CommandName | readonly CommandName[]): void {
    const names: readonly string[] | undefined = typeof commands === 'string' ? [commands] : commands;
    for (const [command, list] of this.#byCommand) {
      if (names === undefined || names.includes(command)) removeFrom(list, handler);
    }
    if (names === undefined) {
      removeFrom(this.any, handler);
      this.reporter.remove(handler);
    }
  }
}

type Registrar = { [M in (typeof METHODS)[number]]: (...args: never[]) => unknown };

/**
 * Gives `target` the registration methods of `registrar` (a `Registry`, or a receiver), each
 * returning `target` so calls chain. Returns `target`, typed as what it now is.
 */
export function addRegistration<R extends CallbackHandlers<R>>(target: object, registrar: Registrar): R {
  for (const name of METHODS) {
    const method = (registrar[name] as (...args: unknown[]) => unknown).bind(registrar);
    Object.defineProperty(target, name, {
      value: (...args: unknown[]) => {
        method(...args);
        return target;
      },
      writable: true,
      configurable: true,
    });
  }
  return target as R;
}

/**
 * For adapters: gives an adapter's object (a middleware function, a plugin decoration) the
 * receiver's registration methods and a `receiver` property.
 */
export function attachHandlers<R extends CallbackHandlers<R> & { readonly receiver: unknown }>(
  target: object,
  receiver: Registrar,
): R {
  Object.defineProperty(target, 'receiver', { value: receiver, enumerable: false });
  return addRegistration<R>(target, receiver);
}
