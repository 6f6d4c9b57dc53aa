/** Group system callbacks (protocol reference §1.5). */
import * as v from 'valibot';
import { defineCommand, GROUP_REJECT_CODES } from './define.js';
import { eventTime, groupType, int, signedInt, str, u32 } from './fields.js';
import { msgBody } from './msg-body.js';

const opt = v.optional;

/** Fields every group message callback carries (before-send, after-send, send exception). */
const groupMessageFields = {
  CallbackCommand: opt(str),
  GroupId: str,
  Type: opt(groupType),
  From_Account: str,
  /** The request's initiator; an admin account when sent through the REST API. */
  Operator_Account: opt(str),
  /** 32-bit random number of the send request (`Random`, not `MsgRandom`). */
  Random: opt(u32),
  /** 1 online-only message, 0 otherwise (always 0 for AVChatRoom). */
  OnlineOnlyFlag: opt(int),
  MsgBody: msgBody,
  CloudCustomData: opt(str),
  /** Topic of a topic-enabled Community group. */
  TopicId: opt(str),
  /** Milliseconds. Sent as a number or a string of digits; delivered as a number. */
  EventTime: opt(eventTime),
};

export const groupCommands = [
  defineCommand({
    command: 'Group.CallbackBeforeSendMsg',
    domain: 'group',
    form: 'send',
    summary: 'A group message is about to be sent: allow, modify, reject or silently discard it.',
    rejectCodes: GROUP_REJECT_CODES,
    schema: v.looseObject(groupMessageFields),
  }),
  defineCommand({
    command: 'Group.CallbackAfterSendMsg',
    domain: 'group',
    form: 'ack',
    summary: 'A group message was sent.',
    schema: v.looseObject({
      ...groupMessageFields,
      MsgSeq: u32,
      /** Seconds. */
      MsgTime: opt(int),
      /** Client-side unique message id (newer pages). */
      MsgId: opt(str),
      /** Who the message @-mentions. */
      GroupAtInfo: opt(v.array(v.looseObject({ GroupAtAllFlag: opt(int), GroupAt_Account: opt(str) }))),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackSendMsgException',
    domain: 'group',
    form: 'ack',
    summary: 'A group message failed to be delivered (bad parameters, rate limit, content filter, sender muted).',
    schema: v.looseObject({
      ...groupMessageFields,
      /** The delivery failure code (e.g. 10023 rate limit, 10017 sender muted). */
      ErrorCode: signedInt,
      ErrorInfo: opt(str),
    }),
  }),
] as const;
