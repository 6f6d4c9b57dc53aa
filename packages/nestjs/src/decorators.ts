/**
 * Owns the decorators: `@OnImCallback(command)`, `@OnAnyImCallback()`, `@OnImCallbackError()` mark
 * provider methods as handlers (metadata on the method, read by the explorer at module init);
 * `@InjectImReceiver()` injects the receiver. The method decorators are typed from core's handler
 * types, so a method whose event or decision does not fit its command does not compile.
 */
import 'reflect-metadata';
import type {
  AnyCallbackHandler,
  CallbackHandler,
  CallbackReceiver,
  CommandName,
  ErrorHandler,
} from '@im-callbacks/core';
import { Inject } from '@nestjs/common';

/** Injection token of the module's core receiver (`@InjectImReceiver()`). */
export const IM_CALLBACKS_RECEIVER = Symbol.for('@im-callbacks/nestjs:receiver');

/** What a marked method handles. Global symbols: one app may load this package's ESM and CJS builds. */
export const HANDLER_METADATA = Symbol.for('@im-callbacks/nestjs:handler');

export type HandlerMark =
  | { readonly kind: 'command'; readonly commands: readonly CommandName[] }
  | { readonly kind: 'any' }
  | { readonly kind: 'error' };

/**
 * A method decorator that only fits methods of type `M`: TypeScript's legacy decorators
 * (`experimentalDecorators`, what Nest apps compile with) and standard ones (what esbuild and tsx
 * compile a file to when no tsconfig sets `experimentalDecorators`).
 */
export interface TypedMethodDecorator<M> {
  <T extends M>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): void;
  <T extends M>(method: T, context: ClassMethodDecoratorContext): void;
}

type Context = { kind?: unknown; static?: unknown; name?: unknown };

function mark<M>(entry: HandlerMark, decorator: string): TypedMethodDecorator<M> {
  return ((target: unknown, key: unknown, descriptor?: PropertyDescriptor) => {
    // Standard decorators: (method, context); legacy ones: (prototype or class, key, descriptor).
    const standard = descriptor === undefined && typeof key === 'object' && key !== null;
    const context = (standard ? key : {}) as Context;
    const method = standard ? target : descriptor?.value;
    const name = String(standard ? context.name : key);
    if (typeof method !== 'function' || (standard && context.kind !== 'method')) {
      throw new TypeError(`im-callbacks: @${decorator} goes on a method, not on ${name}`);
    }
    if (standard ? context.static === true : typeof target === 'function') {
      throw new TypeError(
        `im-callbacks: @${decorator} goes on an instance method of a provider, not on the static ${name}`,
      );
    }
    const marks = (Reflect.getOwnMetadata(HANDLER_METADATA, method) as HandlerMark[] | undefined) ?? [];
    Reflect.defineMetadata(HANDLER_METADATA, [...marks, entry], method);
  }) as TypedMethodDecorator<M>;
}

/**
 * Runs the method for `command` (or each command of a list), with its provider's injected
 * dependencies. The method's signature is checked against the command: its parameter is that
 * command's event, and a before-callback's method returns one of the decisions the command takes
 * (or nothing: allow).
 */
export function OnImCallback<C extends CommandName>(
  command: C | readonly C[],
): TypedMethodDecorator<CallbackHandler<C>> {
  const commands = (Array.isArray(command) ? [...command] : [command]) as CommandName[];
  if (commands.length === 0 || !commands.every((name) => typeof name === 'string' && name.length > 0)) {
    throw new TypeError(
      `im-callbacks: @OnImCallback needs a command or a list of commands, got ${JSON.stringify(command)}`,
    );
  }
  return mark({ kind: 'command', commands }, 'OnImCallback');
}

/** Runs the method for every event, unknown commands included (an observer: its return value is ignored). */
export function OnAnyImCallback(): TypedMethodDecorator<AnyCallbackHandler> {
  return mark({ kind: 'any' }, 'OnAnyImCallback');
}

/** Runs the method for every refusal and handler failure, with the typed `ImCallbackError`. */
export function OnImCallbackError(): TypedMethodDecorator<ErrorHandler> {
  return mark({ kind: 'error' }, 'OnImCallbackError');
}

/** Injects the module's core receiver (`CallbackReceiver`): `dispatch` in a worker, `invoke` in a test. */
export function InjectImReceiver(): PropertyDecorator & ParameterDecorator {
  return Inject(IM_CALLBACKS_RECEIVER);
}

/** The marks on `method` (none when it is not a handler). */
export function handlerMarks(method: unknown): readonly HandlerMark[] {
  if (typeof method !== 'function') return [];
  return (Reflect.getOwnMetadata(HANDLER_METADATA, method) as HandlerMark[] | undefined) ?? [];
}

/** The receiver's type, re-exported for `@InjectImReceiver() receiver: ImReceiver`. */
export type ImReceiver = CallbackReceiver;
