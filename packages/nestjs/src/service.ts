/**
 * Owns the module's lifecycle around one core receiver: made from the options when the module is
 * instantiated; at module init, the decorated handlers are registered and the route is mounted on
 * the app's HTTP server (when there is one: an application context, a queue worker, has none); at
 * shutdown (`beforeApplicationShutdown`, before the server closes), the receiver is drained
 * (`receiver.close()`): callbacks are answered 503 `SHUTTING_DOWN` from then on, and the work in
 * flight finishes (or is reported `ABANDONED`) before Nest closes the server.
 */
import type {
  AnyCallbackHandler,
  CallbackHandler,
  CallbackHandlers,
  CallbackReceiver,
  CallbackResponse,
  CommandName,
  DispatchContext,
  DrainResult,
  ErrorHandler,
} from '@im-callbacks/core';
import { createReceiver } from '@im-callbacks/core';
import type { BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { DiscoveryService, HttpAdapterHost, MetadataScanner, ModuleRef } from '@nestjs/core';
import { type FoundHandler, registerDiscoveredHandlers } from './explorer.js';
import { mountReceiver } from './mount.js';
import type { ResolvedModuleOptions } from './options.js';

/** `ModuleRef`'s container, for the app's global prefix (Nest keeps `ApplicationConfig` there). */
interface WithContainer {
  container?: { applicationConfig?: { getGlobalPrefix(): string } };
}

/** Joins the global prefix and the path: `api` + `/im/callback` → `/api/im/callback`. */
export function prefixedPath(prefix: string, path: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? path : `/${trimmed}${path}`;
}

export class ImCallbacksService
  implements CallbackHandlers<ImCallbacksService>, OnModuleInit, BeforeApplicationShutdown
{
  /** The core receiver: `dispatch` for queue workers, `invoke(receiver, ...)` in tests. */
  readonly receiver: CallbackReceiver;
  #path: string | undefined;
  #handlers: readonly FoundHandler[] = [];

  constructor(
    private readonly options: ResolvedModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
  ) {
    this.receiver = createReceiver(options.receiver);
  }

  /** True once the app shuts down (the receiver's `closing`): callbacks are answered 503 from then on. */
  get closing(): boolean {
    return this.receiver.closing;
  }

  /** The path the route is served at (the global prefix included), once mounted; else undefined. */
  get path(): string | undefined {
    return this.#path;
  }

  /** The decorated methods found at module init, in registration order. */
  get handlers(): readonly FoundHandler[] {
    return this.#handlers;
  }

  async onModuleInit(): Promise<void> {
    this.#handlers = registerDiscoveredHandlers(this.receiver, this.discovery, this.scanner, this.moduleRef);
    const adapter = this.adapterHost?.httpAdapter;
    if (!this.options.mount || adapter === undefined || adapter === null) return;
    const prefix = this.options.useGlobalPrefix
      ? ((this.moduleRef as unknown as WithContainer).container?.applicationConfig?.getGlobalPrefix() ?? '')
      : '';
    const path = prefixedPath(prefix, this.options.path);
    await mountReceiver(adapter, this.receiver, path);
    this.#path = path;
  }

  /** Drains the receiver while the server still listens: callbacks arriving meanwhile get 503 `SHUTTING_DOWN`. */
  beforeApplicationShutdown(): Promise<DrainResult> {
    const { closeTimeout } = this.options;
    return this.receiver.close(closeTimeout === undefined ? {} : { timeout: closeTimeout });
  }

  on<C extends CommandName>(command: C | readonly C[], handler: CallbackHandler<C>): this {
    this.receiver.on(command, handler);
    return this;
  }

  onAny(handler: AnyCallbackHandler): this {
    this.receiver.onAny(handler);
    return this;
  }

  onError(handler: ErrorHandler): this {
    this.receiver.onError(handler);
    return this;
  }

  off(handler: (...args: never[]) => unknown, commands?: CommandName | readonly CommandName[]): this {
    this.receiver.off(handler, commands);
    return this;
  }

  /** `receiver.dispatch`: a payload received some other way (a queue job), through the same handlers. */
  dispatch(command: string, payload: unknown, context?: DispatchContext): Promise<CallbackResponse> {
    return this.receiver.dispatch(command, payload, context);
  }
}
