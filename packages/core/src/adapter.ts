/**
 * `@im-callbacks/core/adapter`: what an adapter author uses to put the receiver behind a framework.
 * Claim the request (`claimsRequest`, `queryOf`, `pathOf`), hand query and body to
 * `receiver.handle` as soon as the headers are in (it verifies the query, then reads the body with
 * `readBody`, the one body reader), write the answer (`writeNodeResponse`, or status/headers/body
 * yourself), and close a connection answered before its body was read (`closeAfterAnswer`).
 * Everything the application uses is re-exported from the root, not from here.
 */
export { ERROR_STATUS, toImCallbackError } from './errors.js';
export {
  adapterReceiver,
  CLOSE_GRACE_MS,
  checkPathOption,
  claimsRequest,
  closeAfterAnswer,
  nodeBodySource,
  pathOf,
  type UpstreamBody,
  writeNodeResponse,
} from './node.js';
export { checkOptionNames, RECEIVER_OPTIONS, type ResolvedOptions } from './options.js';
export { type BodySource, type ReadBody, type ReadLimits, readBody } from './pipeline/body.js';
export { BodyDeadlines, type BodyWatch } from './pipeline/deadlines.js';
export type { QueryInput } from './pipeline/query.js';
export { failureResponse, JSON_HEADERS } from './pipeline/reply.js';
export { computeSign } from './pipeline/sign.js';
export { hasCallbackCommand, queryOf } from './pipeline/url.js';
export { CallbackReceiver, isReceiver } from './receiver.js';
export { attachHandlers } from './registration.js';
export { rowStatus, STATUS_TABLE, type StatusRow } from './statuses.js';
