/**
 * `@im-callbacks/nestjs`: Tencent Cloud IM callbacks in a NestJS app. `ImCallbacksModule.forRoot`
 * / `forRootAsync`, handlers on provider methods (`@OnImCallback(command)`, `@OnAnyImCallback()`,
 * `@OnImCallbackError()`), the receiver injectable (`@InjectImReceiver()`, `ImCallbacksService`).
 * Everything `@im-callbacks/core` exports (decisions, errors, types) is re-exported.
 */
export * from '@im-callbacks/core';
export {
  HANDLER_METADATA,
  type HandlerMark,
  IM_CALLBACKS_RECEIVER,
  type ImReceiver,
  InjectImReceiver,
  OnAnyImCallback,
  OnImCallback,
  OnImCallbackError,
  type TypedMethodDecorator,
} from './decorators.js';
export type { FoundHandler } from './explorer.js';
export { ImCallbacksModule } from './module.js';
export {
  DEFAULT_PATH,
  IM_CALLBACKS_MODULE_OPTIONS,
  type ImCallbacksModuleAsyncOptions,
  type ImCallbacksModuleExtras,
  type ImCallbacksModuleForRootOptions,
  type ImCallbacksModuleOptions,
} from './options.js';
export { ImCallbacksService } from './service.js';
