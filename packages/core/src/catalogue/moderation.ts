/**
 * Content moderation and chatbot callbacks (protocol reference §1.6). `Chatbot.OnC2CSignalMessage`
 * is catalogued although Tencent documents no page or body for it (it is known from a third-party
 * SDK's command list): it is acknowledged, and every field is optional, typed as the one-to-one
 * message fields when present; whatever else it carries stays on the payload.
 */
import * as v from 'valibot';
import { c2cMessageFields } from './c2c.js';
import { defineCommand } from './define.js';
import { accountList, eventTime, int, oneOf, signedInt, str, u32 } from './fields.js';
import { groupMessageFields } from './group.js';

const opt = v.optional;

export const moderationCommands = [
  defineCommand({
    command: 'ContentCallback.ResultNotify',
    domain: 'moderation',
    form: 'ack',
    summary: 'Cloud content moderation produced a result (by default only for violating content).',
    /** The body carries no `CallbackCommand`: the command is only in the query. */
    schema: v.looseObject({
      CallbackCommand: opt(str),
      Scene: oneOf([
        'C2C',
        'C2CCustom',
        'Group',
        'GroupCustom',
        'GroupInfo',
        'GroupMemberInfo',
        'RelationChain',
        'UserInfo',
      ]),
      /** A number in the body (the query's `SdkAppid` is a string). */
      SdkAppId: opt(int),
      From_Account: opt(str),
      /** `ContactType` 1 C2C (`To_Account`), 2 group (`GroupId`). */
      ContactItem: opt(v.looseObject({ ContactType: opt(int), To_Account: opt(str), GroupId: opt(str) })),
      ContentType: opt(str),
      TextContent: opt(v.array(str)),
      /** `MsgID` here (`MsgId` in group after-send). */
      MsgID: opt(str),
      CtxcbResult: opt(signedInt),
      CtxcbRequestId: opt(str),
      CtxcbKeywords: opt(v.array(str)),
      CtxcbSuggestion: opt(oneOf(['Pass', 'Review', 'Block'])),
      CtxcbLabel: opt(str),
      CtxcbSubLabel: opt(str),
      CtxcbSubLabelDesc: opt(str),
      CtxcbLibName: opt(str),
      CloudCustomData: opt(str),
    }),
  }),
  defineCommand({
    command: 'Bot.OnC2CMessage',
    domain: 'moderation',
    form: 'ack',
    summary: 'A user sent a one-to-one message to a chatbot.',
    schema: v.looseObject({
      ...c2cMessageFields,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Chatbot.OnC2CSignalMessage',
    domain: 'moderation',
    form: 'ack',
    summary:
      'A one-to-one signalling message (e.g. a call invitation) reached a chatbot. Undocumented: every field optional.',
    schema: v.partial(v.looseObject(c2cMessageFields)),
  }),
  defineCommand({
    command: 'Bot.OnGroupMessage',
    domain: 'moderation',
    form: 'ack',
    summary: 'A group message @-mentioned a chatbot.',
    schema: v.looseObject({
      ...groupMessageFields,
      MsgSeq: opt(u32),
      /** Seconds. */
      MsgTime: opt(int),
      /** The chatbots the message mentions. */
      AtRobots_Account: opt(accountList),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
] as const;
