/**
 * Owns `ImCallbacksModule`: `forRoot(options)` / `forRootAsync({ imports, inject, useFactory })`
 * (from `ConfigurableModuleBuilder`), global when `isGlobal` says so. Provides and exports
 * `ImCallbacksService` and the receiver (`@InjectImReceiver()`). The providers are factories, so
 * this package needs no decorator support from whatever compiles it.
 */
import { Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, HttpAdapterHost, MetadataScanner, ModuleRef } from '@nestjs/core';
import { IM_CALLBACKS_RECEIVER } from './decorators.js';
import {
  ConfigurableModuleClass,
  IM_CALLBACKS_MODULE_OPTIONS,
  type ImCallbacksModuleOptions,
  resolveModuleOptions,
} from './options.js';
import { ImCallbacksService } from './service.js';

export class ImCallbacksModule extends ConfigurableModuleClass {}

Module({
  imports: [DiscoveryModule],
  providers: [
    MetadataScanner,
    {
      provide: ImCallbacksService,
      useFactory: (
        options: ImCallbacksModuleOptions,
        discovery: DiscoveryService,
        scanner: MetadataScanner,
        adapterHost: HttpAdapterHost,
        moduleRef: ModuleRef,
      ) => new ImCallbacksService(resolveModuleOptions(options), discovery, scanner, adapterHost, moduleRef),
      inject: [IM_CALLBACKS_MODULE_OPTIONS, DiscoveryService, MetadataScanner, HttpAdapterHost, ModuleRef],
    },
    {
      provide: IM_CALLBACKS_RECEIVER,
      useFactory: (service: ImCallbacksService) => service.receiver,
      inject: [ImCallbacksService],
    },
  ],
  exports: [ImCallbacksService, IM_CALLBACKS_RECEIVER],
})(ImCallbacksModule);
