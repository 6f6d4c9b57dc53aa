/** Group system callbacks (protocol reference §1.5). */
import * as v from 'valibot';
import { defineCommand, GROUP_REJECT_CODES } from './define.js';
import {
  accountList,
  advisory,
  eventTime,
  extensionItem,
  groupAttrItem,
  groupType,
  int,
  keyValueItem,
  memberList,
  oneOf,
  requiredOneOf,
  signedInt,
  str,
  u32,
} from './fields.js';
import { msgBody } from './msg-body.js';

const opt = v.optional;

/**
 * `MsgPriority` of group messages: undocumented in the callbacks, seen in real traffic on send
 * callbacks (`"Normal"`); the values are those of the REST API's `MsgPriority`.
 */
export const msgPriority = oneOf(['High', 'Normal', 'Low', 'Lowest']);

/**
 * Fields every group message callback carries (before-send, after-send, send exception). Required:
 * `GroupId`, `From_Account` and `MsgBody` (rule 5); old live-room bodies have no `Random`,
 * `Operator_Account`, `MsgSeq` or `MsgTime`. `From_Account` is `@TLS#NOT_FOUND` for a REST send
 * without sender.
 */
export const groupMessageFields = {
  CallbackCommand: opt(str),
  GroupId: str,
  Type: opt(groupType),
  From_Account: str,
  /** The request's initiator; an admin account when sent through the REST API. */
  Operator_Account: opt(str),
  /** 32-bit random number of the send request (`Random`, not `MsgRandom`); up to 2^32 - 1. */
  Random: opt(u32),
  /** The message's client-side unique id (`"144115233406643804-1727580296-4026038328"`; 269/1619). */
  MsgId: opt(str),
  /** Undocumented in the callbacks (seen in real traffic): the message's delivery priority. */
  MsgPriority: opt(msgPriority),
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
      /** Unsigned 32-bit; absent from old live-room (AVChatRoom) bodies. */
      MsgSeq: opt(u32),
      /** Seconds. */
      MsgTime: opt(int),
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
      ErrorCode: opt(signedInt),
      ErrorInfo: opt(str),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackBeforeCreateGroup',
    domain: 'group',
    form: 'veto',
    summary: 'A group is about to be created: allow or reject.',
    rejectCodes: GROUP_REJECT_CODES,
    schema: v.looseObject({
      CallbackCommand: opt(str),
      Operator_Account: opt(str),
      Owner_Account: str,
      Type: opt(groupType),
      Name: opt(str),
      /**
       * Groups of this type the owner already created. Advisory: real traffic has sent
       * `CreatedGroupNum: {"Public": 5}` instead (kept on the payload under that name).
       */
      CreateGroupNum: advisory(int),
      /** Initial members. */
      MemberList: opt(memberList),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterCreateGroup',
    domain: 'group',
    form: 'ack',
    summary: 'A group was created.',
    schema: v.pipe(
      v.looseObject({
        CallbackCommand: opt(str),
        /** Also accepted as `groupID` (the field table's spelling), delivered as `GroupId`. */
        GroupId: opt(str),
        groupID: opt(str),
        Type: opt(groupType),
        Operator_Account: opt(str),
        Owner_Account: opt(str),
        Name: opt(str),
        MemberList: opt(memberList),
        /** Only when group custom fields are enabled. */
        UserDefinedDataList: opt(v.array(keyValueItem)),
        /** Undocumented (seen in real traffic): how invitations to the group are handled. */
        InviteOption: opt(oneOf(['FreeAccess', 'NeedPermission', 'DisableInvite'])),
        /** Milliseconds. */
        EventTime: opt(eventTime),
      }),
      requiredOneOf(['GroupId', 'groupID']),
      v.check((body) => (body.GroupId ?? body.groupID) !== undefined, 'Invalid key: Expected GroupId'),
      v.transform(({ groupID, ...body }) => ({ ...body, GroupId: (body.GroupId ?? groupID) as string })),
    ),
  }),
  defineCommand({
    command: 'Group.CallbackBeforeApplyJoinGroup',
    domain: 'group',
    form: 'veto',
    summary: 'A user is about to apply to join a group: allow (admin approval still applies) or reject.',
    rejectCodes: GROUP_REJECT_CODES,
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Requestor_Account: str,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackBeforeInviteJoinGroup',
    domain: 'group',
    form: 'invite',
    summary: 'Users are about to be invited into a group: allow, reject, or refuse some invitees.',
    rejectCodes: GROUP_REJECT_CODES,
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      /** The inviter. */
      Operator_Account: opt(str),
      /** The invitees: the decision's input. */
      DestinationMembers: memberList,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterNewMemberJoin',
    domain: 'group',
    form: 'ack',
    summary: 'Members joined a group (by application or invitation).',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      JoinType: opt(oneOf(['Apply', 'Invited'])),
      Operator_Account: opt(str),
      NewMemberList: memberList,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterMemberExit',
    domain: 'group',
    form: 'ack',
    summary: 'Members left a group (quit or kicked).',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      ExitType: opt(oneOf(['Kicked', 'Quit'])),
      Operator_Account: opt(str),
      ExitMemberList: memberList,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterGroupFull',
    domain: 'group',
    form: 'ack',
    summary: 'A group reached its member limit.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterGroupDestroyed',
    domain: 'group',
    form: 'ack',
    summary: 'A group was disbanded.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Owner_Account: opt(str),
      Name: opt(str),
      /** Absent for Community groups. */
      MemberList: opt(memberList),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterGroupInfoChanged',
    domain: 'group',
    form: 'ack',
    summary: "A group's profile changed (only the changed fields are sent).",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Operator_Account: opt(str),
      Name: opt(str),
      Introduction: opt(str),
      Notification: opt(str),
      FaceUrl: opt(str),
      UserDefinedDataList: opt(v.array(keyValueItem)),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackOnMemberStateChange',
    domain: 'group',
    form: 'ack',
    summary: 'Members of an AVChatRoom went offline or came back online.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      EventType: oneOf(['Offline', 'Online']),
      MemberList: memberList,
      /** Milliseconds (absent in the doc example). */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterRecallMsg',
    domain: 'group',
    form: 'ack',
    summary: 'Group messages were recalled.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Operator_Account: opt(str),
      /** The recalled messages; `MsgId` (client-side id) on newer bodies. */
      MsgSeqList: v.array(v.looseObject({ MsgSeq: u32, MsgId: opt(str) })),
      TopicId: opt(str),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackBeforeCreateTopic',
    domain: 'group',
    form: 'veto',
    summary: 'A topic is about to be created in a Community group: allow or reject.',
    rejectCodes: GROUP_REJECT_CODES,
    schema: v.looseObject({
      CallbackCommand: opt(str),
      /** The Community group (absent in the doc example). */
      GroupId: opt(str),
      Type: opt(groupType),
      /** The topic's creator: the only account concerned (required). */
      Operator_Account: str,
      Name: opt(str),
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterCreateTopic',
    domain: 'group',
    form: 'ack',
    summary: 'A topic was created in a Community group.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      TopicId: str,
      Operator_Account: opt(str),
      Owner_Account: opt(str),
      Name: opt(str),
      UserDefinedDataList: opt(v.array(keyValueItem)),
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterTopicDestroyed',
    domain: 'group',
    form: 'ack',
    summary: 'Topics of a Community group were deleted.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Operator_Account: opt(str),
      /** An array (the field table says String). */
      TopicIdList: accountList,
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterTopicInfoChanged',
    domain: 'group',
    form: 'ack',
    summary: "A topic's profile changed.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      /** Absent in the doc example (a doc gap). */
      TopicId: opt(str),
      Operator_Account: opt(str),
      Name: opt(str),
      Introduction: opt(str),
      Notification: opt(str),
      FaceUrl: opt(str),
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterMemberFieldChanged',
    domain: 'group',
    form: 'ack',
    summary: "A group member's role or name card changed.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Operator_Account: opt(str),
      /** The member whose fields changed (a third-party SDK names it `Modified_Account`: kept if sent). */
      Member_Account: opt(str),
      Role: opt(oneOf(['Admin', 'Member'])),
      NameCard: opt(str),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterGroupAttrChanged',
    domain: 'group',
    form: 'ack',
    summary: "A group's custom attributes were set, modified, cleared or deleted.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Operator_Account: opt(str),
      OptionType: opt(oneOf(['set', 'modify', 'clear', 'delete'])),
      /** Lower-case `key`/`value` as documented; `Key`/`Value` accepted and delivered lower-case. */
      GroupAttr: opt(v.array(groupAttrItem)),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterReadReceipt',
    domain: 'group',
    form: 'ack',
    summary: 'Group message read receipts were updated.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      GroupMsgReceiptList: v.array(
        v.looseObject({
          MsgSeq: u32,
          ReadNum: advisory(int),
          UnreadNum: advisory(int),
          ReadReceiptMembers: opt(memberList),
        }),
      ),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterChangeGroupOwner',
    domain: 'group',
    form: 'ack',
    summary: "A group's owner changed.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Type: opt(groupType),
      Operator_Account: opt(str),
      OldOwner_Account: opt(str),
      NewOwner_Account: str,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackOnDailyGroupQuotaAlarm',
    domain: 'group',
    form: 'ack',
    summary: "The day's net group creations passed 70 % of the daily limit.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      QuotaUsed: advisory(int),
      Quota: advisory(int),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Group.CallbackAfterGroupMsgExtension',
    domain: 'group',
    form: 'ack',
    summary: "A group message's extension (key-value) list was set, deleted or cleared.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      MsgSeq: u32,
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
    command: 'Group.CallbackAfterModifyMsg',
    domain: 'group',
    form: 'ack',
    summary: 'A group message was edited.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      GroupId: str,
      Operator_Account: opt(str),
      /** "" when the group has no topics. */
      TopicId: opt(str),
      MsgSeq: u32,
      MsgBody: msgBody,
      CloudCustomData: opt(str),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
] as const;
