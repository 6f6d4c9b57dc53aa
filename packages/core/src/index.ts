export { attachHandlers } from './attach.js';
export { assertNoForbiddenKey, type BodySource, parseJson, type ReadLimits, readBody } from './body.js';
export {
  C2C_REJECT_CODES,
  type CommandSpec,
  type Domain,
  defineCommand,
  FRIEND_REJECT_CODES,
  GROUP_REJECT_CODES,
} from './catalogue/define.js';
export * from './catalogue/fields.js';
export {
  type AfterCommandName,
  type BeforeCommandName,
  type Catalogue,
  type CommandName,
  catalogue,
  commandList,
  commandSpec,
  type DecisionFor,
  isKnownCommand,
  type Payload,
} from './catalogue/index.js';
export {
  isMsgElement,
  type KnownMsgElement,
  type KnownMsgType,
  knownMsgTypes,
  type MsgElement,
  msgBody,
  msgElement,
  type RelayedMessage,
  type UnknownMsgElement,
} from './catalogue/msg-body.js';
export type {
  AllowDecision,
  BeforeDecision,
  DecisionForm,
  DecisionsByForm,
  DiscardDecision,
  FriendResult,
  FriendResultsDecision,
  MessageChanges,
  ModifyDecision,
  RefuseSomeDecision,
  RejectDecision,
} from './decisions.js';
export {
  allow,
  decisionsByForm,
  discard,
  friendResults,
  refuseOnly,
  reject,
} from './decisions.js';
export * from './errors.js';
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
export { defaultLogger, type Logger, silentLogger } from './logger.js';
export {
  CLOSE_GRACE_MS,
  checkPathOption,
  claimsRequest,
  closeAfterAnswer,
  nodeBodySource,
  pathOf,
  type UpstreamBody,
  writeNodeResponse,
} from './node.js';
export type { ReceiverOptions, ResolvedOptions, SdkAppIdOption } from './options.js';
export { resolveOptions } from './options.js';
export {
  type CallbackQuery,
  hasCallbackCommand,
  parseQuery,
  type QueryInput,
  queryOf,
  type VerifiedQuery,
  verifyQuery,
} from './query.js';
export type { CallbackRequest } from './receiver.js';
export { CallbackReceiver, createReceiver } from './receiver.js';
export {
  type CallbackResponse,
  decisionInputs,
  failureResponse,
  fallbackReply,
  JSON_HEADERS,
  OK_REPLY,
  OK_RESPONSE,
  replyFor,
} from './reply.js';
export { computeSign, signMatches } from './sign.js';
