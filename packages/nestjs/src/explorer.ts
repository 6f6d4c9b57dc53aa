/**
 * Owns finding the handlers: at module init, every provider and controller of the app is scanned
 * (`DiscoveryService`) for methods marked with `@OnImCallback`, `@OnAnyImCallback` or
 * `@OnImCallbackError`, and each is registered on the receiver, bound to its instance. A provider
 * that is request-scoped or transient (or depends on one) gets a fresh instance for each callback,
 * resolved through `ModuleRef` with the event as its `REQUEST`.
 */
import type {
  AnyCallbackHandler,
  CallbackHandler,
  CallbackReceiver,
  CommandName,
  ErrorHandler,
} from '@im-callbacks/core';
import type { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { ContextIdFactory } from '@nestjs/core';
import { type HandlerMark, handlerMarks } from './decorators.js';

/** The part of Nest's `InstanceWrapper` the explorer reads (stable across Nest 11 and 12). */
interface Wrapper {
  readonly name: unknown;
  readonly token: unknown;
  readonly instance: unknown;
  readonly metatype: unknown;
  readonly isAlias?: boolean;
  isDependencyTreeStatic(): boolean;
}

/** One method found: where it is and what it handles. */
export interface FoundHandler {
  readonly provider: string;
  readonly method: string;
  readonly marks: readonly HandlerMark[];
}

type Method = (this: unknown, argument: unknown) => unknown;

function nameOf(wrapper: Wrapper): string {
  if (typeof wrapper.metatype === 'function' && wrapper.metatype.name) return wrapper.metatype.name;
  return typeof wrapper.name === 'string' ? wrapper.name : String(wrapper.token);
}

/**
 * Registers every marked method of the app on `receiver`; returns what it found (in registration
 * order: for a before-callback, the first handler that returns a decision decides).
 */
export function registerDiscoveredHandlers(
  receiver: CallbackReceiver,
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  moduleRef: ModuleRef,
): FoundHandler[] {
  const found: FoundHandler[] = [];
  const seen = new Set<unknown>();
  const wrappers = [...discovery.getProviders(), ...discovery.getControllers()] as unknown as Wrapper[];
  for (const wrapper of wrappers) {
    if (wrapper.isAlias) continue;
    const isStatic = wrapper.isDependencyTreeStatic();
    // A static provider has its instance; a scoped one only its class (a factory provider's class is unknown).
    const holder = isStatic
      ? wrapper.instance
      : typeof wrapper.metatype === 'function'
        ? wrapper.metatype.prototype
        : undefined;
    if (typeof holder !== 'object' || holder === null) continue;
    // The same instance may be listed more than once (a provider exported and re-provided).
    const key = isStatic ? holder : wrapper.metatype;
    if (seen.has(key)) continue;
    seen.add(key);
    const prototype = isStatic ? Object.getPrototypeOf(holder) : holder;
    if (prototype === null) continue;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const marks = handlerMarks(prototype[method]);
      if (marks.length === 0) continue;
      const provider = nameOf(wrapper);
      const run = isStatic
        ? bound(holder as Record<string, Method>, method)
        : perCallback(moduleRef, wrapper.token, method, provider);
      for (const entry of marks) register(receiver, entry, run);
      found.push({ provider, method, marks });
    }
  }
  return found;
}

function register(receiver: CallbackReceiver, entry: HandlerMark, run: (argument: unknown) => unknown): void {
  if (entry.kind === 'command') receiver.on(entry.commands as CommandName[], run as CallbackHandler<CommandName>);
  else if (entry.kind === 'any') receiver.onAny(run as AnyCallbackHandler);
  else receiver.onError(run as ErrorHandler);
}

/** A static provider's method, called on its one instance (synchronous when the method is). */
function bound(instance: Record<string, Method>, method: string): (argument: unknown) => unknown {
  return (argument) => (instance[method] as Method).call(instance, argument);
}

/**
 * A scoped provider's method: each callback gets its own instance (and its own instances of the
 * scoped providers it depends on), with the event registered as the `REQUEST` of that context.
 */
function perCallback(
  moduleRef: ModuleRef,
  token: unknown,
  method: string,
  provider: string,
): (argument: unknown) => Promise<unknown> {
  return async (argument) => {
    const contextId = ContextIdFactory.create();
    moduleRef.registerRequestByContextId(argument, contextId);
    const instance = (await moduleRef.resolve(token as string, contextId, { strict: false })) as Record<string, Method>;
    const run = instance?.[method];
    if (typeof run !== 'function')
      throw new Error(`im-callbacks: ${provider}.${method} is not a method of the resolved instance`);
    return run.call(instance, argument);
  };
}
