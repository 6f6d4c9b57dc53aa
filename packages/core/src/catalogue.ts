/**
 * `@im-callbacks/core/catalogue`: every command as data (name, domain, decision form, summary,
 * valibot schema), for tools that generate docs, samples or validators from it. Payload types come
 * from these schemas and nowhere else; applications get them from the root.
 */
export {
  C2C_REJECT_CODES,
  type CommandSpec,
  type Domain,
  FRIEND_REJECT_CODES,
  GROUP_REJECT_CODES,
} from './catalogue/define.js';
export {
  type Catalogue,
  type CommandName,
  catalogue,
  commandList,
  commandSpec,
  isKnownCommand,
  type KnownFields,
  type Payload,
} from './catalogue/index.js';
export { type KnownMsgType, knownMsgTypes, msgBody, msgElement } from './catalogue/msg-body.js';
export {
  DECISION_FORMS,
  DECISION_HELPERS,
  type DecisionForm,
  type DecisionsByForm,
  takesDecision,
} from './decisions.js';
