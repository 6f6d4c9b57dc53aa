/**
 * `@im-callbacks/serverless`: the receiver as a function handler. `scfHandler(receiver)` for a
 * Tencent SCF function behind an API gateway trigger; `lambdaHandler(receiver)` for AWS Lambda
 * behind API Gateway (REST API, HTTP API payload 1.0 or 2.0) or a function URL. Either takes an
 * SDKAppID and the receiver's options instead of a receiver, and carries `on/onAny/onError/off`.
 *
 * Each awaits the work that outlives the answer (handlers still running at the deadline, a handoff,
 * de-duplication writes) before it returns: the platform freezes a function once it has returned,
 * and would never run that work. The answer's time then includes it (see the README).
 */
import type { CallbackHandlers, CallbackReceiver, ReceiverOptions, SdkAppIdOption } from '@im-callbacks/core';
import { adapterReceiver, attachHandlers } from '@im-callbacks/core/adapter';
import { handleLambdaEvent, type LambdaHttpEvent, type LambdaHttpResult } from './lambda.js';
import { handleScfEvent, type ScfApiGatewayEvent, type ScfApiGatewayResult } from './scf.js';

export * from '@im-callbacks/core';
export { type LambdaHttpEvent, type LambdaHttpResult, lambdaQuery } from './lambda.js';
export type { ScfApiGatewayEvent, ScfApiGatewayResult } from './scf.js';

/** A Lambda handler (`export const handler = lambdaHandler(receiver)`), with the receiver's registration methods. */
export interface LambdaCallbackHandler extends CallbackHandlers<LambdaCallbackHandler> {
  (event: LambdaHttpEvent, context?: unknown): Promise<LambdaHttpResult>;
  readonly receiver: CallbackReceiver;
}

/** An SCF handler (`exports.main_handler = scfHandler(receiver)`), with the receiver's registration methods. */
export interface ScfCallbackHandler extends CallbackHandlers<ScfCallbackHandler> {
  (event: ScfApiGatewayEvent, context?: unknown): Promise<ScfApiGatewayResult>;
  readonly receiver: CallbackReceiver;
}

export function lambdaHandler(receiver: CallbackReceiver): LambdaCallbackHandler;
export function lambdaHandler(
  sdkAppId: SdkAppIdOption,
  options?: Omit<ReceiverOptions, 'sdkAppId'>,
): LambdaCallbackHandler;
export function lambdaHandler(
  target: SdkAppIdOption | CallbackReceiver,
  options?: Omit<ReceiverOptions, 'sdkAppId'>,
): LambdaCallbackHandler {
  const { receiver } = adapterReceiver(target, options, []);
  const handler = (event: LambdaHttpEvent) => handleLambdaEvent(receiver, event);
  return attachHandlers<LambdaCallbackHandler>(handler, receiver);
}

export function scfHandler(receiver: CallbackReceiver): ScfCallbackHandler;
export function scfHandler(sdkAppId: SdkAppIdOption, options?: Omit<ReceiverOptions, 'sdkAppId'>): ScfCallbackHandler;
export function scfHandler(
  target: SdkAppIdOption | CallbackReceiver,
  options?: Omit<ReceiverOptions, 'sdkAppId'>,
): ScfCallbackHandler {
  const { receiver } = adapterReceiver(target, options, []);
  const handler = (event: ScfApiGatewayEvent) => handleScfEvent(receiver, event);
  return attachHandlers<ScfCallbackHandler>(handler, receiver);
}
