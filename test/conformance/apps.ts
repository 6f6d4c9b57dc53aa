/**
 * What the conformance files share: the app's SDKAppID, the wire OK, the two commands most rows use,
 * and starting a target's app whose errors are collected (closed after each test).
 */
import { type ImCallbackError, silentLogger } from '@im-callbacks/core';
import type { RunningTarget, Target, TargetOptions } from './target';

export const APP = 1400000000;
export const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
export const BEFORE = 'Group.CallbackBeforeSendMsg';
export const AFTER = 'Group.CallbackAfterSendMsg';

export interface App extends RunningTarget {
  /** Everything the app's `onError` received. */
  errors: ImCallbackError[];
}

/** `start(options)` for `target`'s apps (silent, errors collected); every app started is closed after each test. */
export function appsOf(target: Target): (options?: Partial<TargetOptions>) => Promise<App> {
  const running: App[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });
  return async (options = {}) => {
    const app = (await target.start({ sdkAppId: APP, logger: silentLogger, ...options })) as App;
    app.errors = [];
    app.im.onError((error: ImCallbackError) => app.errors.push(error));
    running.push(app);
    return app;
  };
}
