import type { CallbackReceiver, CallbackResponse, CommandName, DispatchContext } from '@im-callbacks/core';
import type { SampleOf } from './samples.js';

/** What `invoke` delivers to: a core receiver, or an adapter's object carrying one (Express, Koa middleware). */
export type Invokable = Pick<CallbackReceiver, 'dispatch'> | { readonly receiver: Pick<CallbackReceiver, 'dispatch'> };

/** A reply as the IM backend reads it: the three common fields, and a decision's own (`MsgBody`, `ResultItem`...). */
export interface InvokeReply {
  readonly ActionStatus: 'OK' | 'FAIL';
  readonly ErrorInfo: string;
  readonly ErrorCode: number;
  readonly [field: string]: unknown;
}

export interface InvokeResult {
  /** The HTTP status the receiver would have answered with. */
  status: number;
  /** The reply body, parsed (replies are always JSON). */
  reply: InvokeReply;
  /** The receiver's answer as it would go on the wire: status, JSON text, headers. */
  response: CallbackResponse;
}

/**
 * Delivers `payload` as `command` to the receiver's handlers in-process, with no HTTP, no query and
 * no Sign: `receiver.dispatch(command, payload, context)` (validated like a received body; the
 * event's `sdkAppId` is the receiver's first unless `context` says otherwise). Resolves with the
 * answer the receiver would have sent; never rejects for a callback's failure (a handler that throws
 * gets its 500 or fallback decision, as over HTTP).
 */
export async function invoke<C extends CommandName>(
  target: Invokable,
  command: C,
  payload: SampleOf<C>,
  context?: DispatchContext,
): Promise<InvokeResult> {
  const receiver = 'dispatch' in target ? target : target.receiver;
  if (typeof receiver?.dispatch !== 'function') {
    throw new TypeError('invoke: pass a receiver (createReceiver()) or an adapter object carrying one (`.receiver`)');
  }
  const response = await receiver.dispatch(command, payload, context);
  return { status: response.status, reply: JSON.parse(response.body) as InvokeReply, response };
}
