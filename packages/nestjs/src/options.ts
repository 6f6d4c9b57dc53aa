/**
 * Owns the module's options and their Nest plumbing: the options type, `ConfigurableModuleBuilder`
 * (which gives `forRoot`, `forRootAsync`, the options token and the `isGlobal` extra), and splitting
 * the options into the receiver's and the module's own.
 */
import type { ReceiverOptions } from '@im-callbacks/core';
import { checkPathOption } from '@im-callbacks/core/adapter';
import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Where the callback route is, when neither the options nor the app says otherwise. */
export const DEFAULT_PATH = '/im/callback';

/** `ImCallbacksModule.forRoot(options)`, or what `forRootAsync`'s `useFactory` returns. */
export interface ImCallbacksModuleOptions extends ReceiverOptions {
  /**
   * The callback route, the URL you set in the IM console (without scheme and host). Default
   * `/im/callback`. The app's global prefix (`app.setGlobalPrefix('api')`) goes in front of it
   * (`/api/im/callback`) unless `useGlobalPrefix` is false; versioning does not apply.
   */
  path?: string;
  /** Put the app's global prefix in front of `path`. Default true. */
  useGlobalPrefix?: boolean;
  /**
   * Serve the route on the app's HTTP server (Express or Fastify platform). Default true. False:
   * nothing is mounted; serve the receiver yourself (`@InjectImReceiver()`), e.g. with
   * `imCallbacks(receiver)` from `@im-callbacks/express` in a serverless handler.
   */
  mount?: boolean;
  /**
   * How long the app's shutdown waits for the receiver's work in flight (`receiver.close({ timeout })`,
   * in `beforeApplicationShutdown`), in ms. Default 10,000.
   */
  closeTimeout?: number;
}

/** The module's own keys; everything else is the receiver's. */
const MODULE_KEYS = ['path', 'useGlobalPrefix', 'mount', 'closeTimeout'] as const;

export interface ResolvedModuleOptions {
  readonly receiver: ReceiverOptions;
  readonly path: string;
  readonly useGlobalPrefix: boolean;
  readonly mount: boolean;
  readonly closeTimeout: number | undefined;
}

/** Splits and checks the options once, when the module's providers are made. */
export function resolveModuleOptions(options: ImCallbacksModuleOptions): ResolvedModuleOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('im-callbacks: ImCallbacksModule options must be an object');
  }
  const receiver: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!(MODULE_KEYS as readonly string[]).includes(key)) receiver[key] = value;
  }
  const path = checkPathOption('path', options.path) ?? DEFAULT_PATH;
  for (const key of ['useGlobalPrefix', 'mount'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new TypeError(`im-callbacks: option ${key} must be a boolean, got ${JSON.stringify(options[key])}`);
    }
  }
  const { closeTimeout } = options;
  if (closeTimeout !== undefined && (typeof closeTimeout !== 'number' || !(closeTimeout >= 0))) {
    throw new TypeError(
      `im-callbacks: option closeTimeout must be a number of ms >= 0, got ${JSON.stringify(closeTimeout)}`,
    );
  }
  return {
    receiver: receiver as unknown as ReceiverOptions,
    path,
    useGlobalPrefix: options.useGlobalPrefix ?? true,
    mount: options.mount ?? true,
    closeTimeout,
  };
}

/** `isGlobal`: an extra of `forRoot`/`forRootAsync`, not an option of the receiver. */
export interface ImCallbacksModuleExtras {
  /** Register the module globally (its receiver and service injectable everywhere). Default false. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: IM_CALLBACKS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ImCallbacksModuleOptions>({ moduleName: 'ImCallbacks' })
  .setClassMethodName('forRoot')
  .setExtras<ImCallbacksModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();

/** What `forRoot` takes: the options and `isGlobal`. */
export type ImCallbacksModuleForRootOptions = typeof OPTIONS_TYPE;
/** What `forRootAsync` takes: `imports`, `inject`, `useFactory` (or `useClass`/`useExisting`) and `isGlobal`. */
export type ImCallbacksModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
