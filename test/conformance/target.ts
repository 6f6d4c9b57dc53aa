/**
 * The contract every framework target of the conformance suite implements. The suite
 * (conformance.test.ts) is written once and runs identically against each target.
 */
import type { CallbackHandlers, ReceiverOptions, SdkAppIdOption } from '@im-callbacks/core';

/** A body parser the app runs before the callback handler, as users commonly do. */
export type Upstream = 'none' | 'json' | 'text' | 'raw';

export interface TargetOptions extends Omit<ReceiverOptions, 'sdkAppId'> {
  sdkAppId: SdkAppIdOption;
  /** Which upstream body parser runs before the callback handler (default 'none'). */
  upstream?: Upstream;
}

// biome-ignore lint/suspicious/noExplicitAny: the suite registers handlers on any adapter's object
export type AnyHandlers = CallbackHandlers<any>;

export interface RunningTarget {
  /** Absolute URL of the callback endpoint, without a query string. */
  url: string;
  /**
   * Absolute URL of another route of the same app that answers `200` with the text `other` to GET
   * and POST, to check that requests which are not callbacks reach the app. Undefined where the
   * target has no other routes (the bare fetch handler).
   */
  otherUrl: string | undefined;
  /** The adapter's object carrying on/onAny/onError. */
  im: AnyHandlers;
  close(): Promise<void>;
}

export interface Target {
  /** e.g. 'express 4', 'fastify 5', 'fetch' */
  name: string;
  /** Starts the app on 127.0.0.1, on a free port. */
  start(options: TargetOptions): Promise<RunningTarget>;
}
