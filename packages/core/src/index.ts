/**
 * `@im-callbacks/core`: what an application uses. A receiver, the decisions a before-callback
 * handler returns, the error classes `onError` receives, the command list and the types.
 * Adapter authors: `@im-callbacks/core/adapter`. The schemas: `@im-callbacks/core/catalogue`.
 */
export type { CommandSpec, Domain } from './catalogue/define.js';
export {
  type AfterCommandName,
  type BeforeCommandName,
  type CommandName,
  commandList,
  type DecisionFor,
  isKnownCommand,
  type Payload,
} from './catalogue/index.js';
export {
  isMsgElement,
  type KnownMsgElement,
  type KnownMsgType,
  type MsgElement,
  type RelayedMessage,
  type UnknownMsgElement,
} from './catalogue/msg-body.js';
export {
  type AllowDecision,
  allow,
  type BeforeDecision,
  type DecisionForm,
  type DecisionsByForm,
  type DiscardDecision,
  discard,
  type FriendResult,
  type FriendResultsDecision,
  friendResults,
  type MessageChanges,
  type ModifyDecision,
  type RefuseSomeDecision,
  type RejectDecision,
  refuseOnly,
  reject,
} from './decisions.js';
export {
  type DedupeAnswer,
  type DedupeOptions,
  type DedupeRecord,
  type DedupeStore,
  dedupeKey,
  memoryDedupeStore,
} from './dedupe.js';
export {
  CALLBACK_CHANNEL,
  type CallbackDecision,
  type CallbackKind,
  type CallbackTraceContext,
} from './diagnostics.js';
export {
  AbandonedError,
  BodyTimeoutError,
  BodyTooLargeError,
  BodyUnavailableError,
  DecisionError,
  DedupeError,
  type ErrorContext,
  HandlerError,
  HandlerTimeoutError,
  HandoffError,
  ImCallbackError,
  type ImCallbackErrorCode,
  type ImCallbackErrorDetails,
  InternalError,
  MalformedQueryError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadValidationError,
  SdkAppIdError,
  ShuttingDownError,
  SignatureError,
} from './errors.js';
export type {
  AnyCallbackEvent,
  AnyCallbackHandler,
  CallbackContext,
  CallbackEvent,
  CallbackHandler,
  CallbackHandlers,
  ErrorHandler,
  HandlerResult,
  KnownCallbackEvent,
  UnknownCallbackEvent,
} from './events.js';
export type { FailedJob, FailedJobSource, HandedOffEvent, Handoff } from './handoff.js';
export { type Logger, silentLogger } from './logger.js';
export { redactSign } from './node.js';
export type { ReceiverOptions, SdkAppIdOption } from './options.js';
export type { CallbackResponse } from './pipeline/reply.js';
export {
  type CallbackReceiver,
  type CallbackRequest,
  type CloseOptions,
  createReceiver,
  DEFAULT_CLOSE_TIMEOUT,
  type DispatchContext,
  type DrainResult,
  type FetchOptions,
} from './receiver.js';
