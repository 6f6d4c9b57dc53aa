/** One-to-one (C2C) message callbacks (protocol reference §1.4). */
import * as v from 'valibot';
import { C2C_REJECT_CODES, defineCommand } from './define.js';
import { advisory, eventTime, extensionItem, int, signedInt, str, u32 } from './fields.js';
import { msgBody } from './msg-body.js';

const opt = v.optional;

/**
 * Fields every C2C message callback carries (before-send, after-send, modify). Required: the two
 * accounts and `MsgBody` (rule 5). `From_Account` is `@TLS#NOT_FOUND` for a REST send without sender.
 */
export const c2cMessageFields = {
  CallbackCommand: opt(str),
  From_Account: str,
  To_Account: str,
  /** Unsigned 32-bit. */
  MsgSeq: opt(u32),
  /** Unsigned 32-bit. */
  MsgRandom: opt(u32),
  /** Seconds. */
  MsgTime: opt(int),
  /** `<seq>_<random>_<time>`: identifies the message (recall, extensions, edits). */
  MsgKey: opt(str),
  /** The message's client-side unique id (`"144115233406643804-1727580296-4026038328"`; 269/1632). */
  MsgId: opt(str),
  /** 1 online-only message, 0 otherwise. */
  OnlineOnlyFlag: advisory(int),
  MsgBody: msgBody,
  CloudCustomData: opt(str),
  /** Milliseconds (absent in the send examples). */
  EventTime: opt(eventTime),
};

export const c2cCommands = [
  defineCommand({
    command: 'C2C.CallbackBeforeSendMsg',
    domain: 'c2c',
    form: 'send',
    summary: 'A one-to-one message is about to be sent: allow, modify, reject or silently discard it.',
    rejectCodes: C2C_REJECT_CODES,
    schema: v.looseObject({
      ...c2cMessageFields,
      /** Undocumented; a number on old real-traffic bodies (the sender/recipient relationship). */
      FriendShip: opt(int),
    }),
  }),
  defineCommand({
    command: 'C2C.CallbackAfterSendMsg',
    domain: 'c2c',
    form: 'ack',
    summary: 'A one-to-one message was sent (or failed: see SendMsgResult).',
    schema: v.looseObject({
      ...c2cMessageFields,
      /** 0 sent, otherwise the error code. */
      SendMsgResult: opt(signedInt),
      /** The send result text (`"send msg succeed"`); not the reply's ErrorInfo. */
      ErrorInfo: opt(str),
      /** The recipient's total C2C unread count; -1 when the send failed. */
      UnreadMsgNum: advisory(signedInt),
    }),
  }),
  defineCommand({
    command: 'C2C.CallbackAfterMsgReport',
    domain: 'c2c',
    form: 'ack',
    summary: 'A user read the one-to-one messages of a conversation (read report).',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      /** The reader. */
      Report_Account: str,
      Peer_Account: str,
      /** Seconds. */
      LastReadTime: opt(int),
      UnreadMsgNum: advisory(signedInt),
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'C2C.CallbackAfterMsgWithDraw',
    domain: 'c2c',
    form: 'ack',
    summary: 'A one-to-one message was recalled.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      From_Account: str,
      To_Account: str,
      MsgKey: str,
      UnreadMsgNum: advisory(signedInt),
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'C2C.CallbackAfterC2CMsgExtension',
    domain: 'c2c',
    form: 'ack',
    summary: "A one-to-one message's extension (key-value) list was set, deleted or cleared.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      From_Account: str,
      To_Account: str,
      MsgKey: str,
      /** 1 set KV, 2 delete KV, 3 clear all. */
      OperateType: opt(int),
      ExtensionList: opt(v.array(extensionItem)),
      /** Message-level extension version. */
      Seq: opt(int),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'C2C.CallbackAfterModifyMsg',
    domain: 'c2c',
    form: 'ack',
    summary: 'A one-to-one message was edited.',
    schema: v.looseObject({
      ...c2cMessageFields,
      Operator_Account: opt(str),
    }),
  }),
] as const;
