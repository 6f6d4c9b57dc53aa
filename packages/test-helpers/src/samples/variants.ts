/**
 * Documented alternates of the main samples: the other `EventTime` spelling (number vs string of
 * digits, §1.9), key-casing variants, the `ClientCmd` spellings, extension operate types, old SDK
 * elements, values above 2^31, unknown `MsgType` elements; real-traffic bodies that differ from the
 * docs (`CreatedGroupNum`, live-room group messages without `MsgSeq`/`MsgTime`/`Random`/
 * `Operator_Account`, bodies without `EventTime`, `Random` 2^32 - 1, `@TLS#NOT_FOUND` senders,
 * undocumented `MsgPriority`/`InviteOption`/`FriendShip`, alphabetically sorted keys); and the fields
 * the docs added later (custom status, `MsgId`, group type `Live`, the call callbacks' alternates).
 * Each must be accepted and delivered to `on(command)`; the names are stable (tests look them up).
 */
import type { CommandName } from '@im-callbacks/core';
import type { SampleVariant } from './types.js';

type Body = Readonly<Record<string, unknown>>;

/** The `EventTime` variants: every sample with a top-level `EventTime`, spelled the other way. */
export function eventTimeVariants(samples: Readonly<Record<CommandName, unknown>>): SampleVariant[] {
  const variants: SampleVariant[] = [];
  for (const [command, body] of Object.entries(samples) as [CommandName, Body][]) {
    const time = body.EventTime;
    if (typeof time === 'string') {
      variants.push({ command, name: 'EventTime as a number', payload: { ...body, EventTime: Number(time) } });
    } else if (typeof time === 'number') {
      variants.push({ command, name: 'EventTime as a string', payload: { ...body, EventTime: String(time) } });
    }
  }
  return variants;
}

const GROUP = '@TGS#2J4SZEAEL';

/** Hand-written alternates (see the module comment). */
export const documentedVariants: readonly SampleVariant[] = [
  {
    command: 'Group.CallbackBeforeCreateGroup',
    name: 'real traffic: CreatedGroupNum object instead of CreateGroupNum',
    payload: {
      CallbackCommand: 'Group.CallbackBeforeCreateGroup',
      Operator_Account: 'leckie',
      Owner_Account: 'leckie',
      Type: 'Public',
      Name: 'MyFirstGroup',
      CreatedGroupNum: { Public: 5 },
      MemberList: [{ Member_Account: 'bob' }],
      EventTime: 1670574414123,
    },
  },
  {
    command: 'Group.CallbackBeforeCreateGroup',
    name: 'CreateGroupNum in an unexpected shape (advisory field)',
    payload: {
      CallbackCommand: 'Group.CallbackBeforeCreateGroup',
      Owner_Account: 'leckie',
      Type: 'Public',
      Name: 'MyFirstGroup',
      CreateGroupNum: { Public: 5 },
      EventTime: '1670574414123',
    },
  },
  {
    command: 'Group.CallbackAfterCreateGroup',
    name: 'groupID spelling of the field table',
    payload: {
      CallbackCommand: 'Group.CallbackAfterCreateGroup',
      groupID: GROUP,
      Type: 'Public',
      Operator_Account: 'leckie',
      Owner_Account: 'leckie',
      Name: 'MyFirstGroup',
      MemberList: [{ Member_Account: 'bob' }],
      EventTime: '1670574414123',
    },
  },
  {
    command: 'Group.CallbackAfterGroupAttrChanged',
    name: 'GroupAttr with Key/Value capitalised',
    payload: {
      CallbackCommand: 'Group.CallbackAfterGroupAttrChanged',
      GroupId: GROUP,
      Type: 'Public',
      Operator_Account: 'admin',
      OptionType: 'modify',
      GroupAttr: [{ Key: 'attr1', Value: 'value1' }],
      EventTime: 1670574414123,
    },
  },
  {
    command: 'Group.CallbackAfterGroupAttrChanged',
    name: 'clear: no GroupAttr',
    payload: {
      CallbackCommand: 'Group.CallbackAfterGroupAttrChanged',
      GroupId: GROUP,
      Type: 'Public',
      Operator_Account: 'admin',
      OptionType: 'clear',
      EventTime: '1670574414123',
    },
  },
  {
    command: 'Group.CallbackAfterMemberFieldChanged',
    name: 'Modified_Account (third-party SDK spelling) instead of Member_Account',
    payload: {
      CallbackCommand: 'Group.CallbackAfterMemberFieldChanged',
      GroupId: GROUP,
      Type: 'Public',
      Operator_Account: 'admin',
      Modified_Account: 'jared',
      NameCard: 'jared-card',
      EventTime: '1670574414123',
    },
  },
  ...(['FriendAdd', 'friend_response', 'FriendResponse'] as const).map(
    (ClientCmd): SampleVariant => ({
      command: 'Sns.CallbackFriendAdd',
      name: `ClientCmd ${ClientCmd}`,
      payload: {
        CallbackCommand: 'Sns.CallbackFriendAdd',
        PairList: [{ From_Account: 'id', To_Account: 'id1', Initiator_Account: 'id1' }],
        ClientCmd,
        Admin_Account: '',
        ForceFlag: 0,
      },
    }),
  ),
  {
    command: 'C2C.CallbackAfterC2CMsgExtension',
    name: 'OperateType 2: delete keys (no Value)',
    payload: {
      CallbackCommand: 'C2C.CallbackAfterC2CMsgExtension',
      From_Account: 'jared',
      To_Account: 'Jonh',
      MsgKey: '48374_2837546_1557481126',
      OperateType: 2,
      ExtensionList: [{ Key: 'like', Seq: 3 }],
      Seq: 3,
      EventTime: 1670574414123,
    },
  },
  {
    command: 'Group.CallbackAfterGroupMsgExtension',
    name: 'OperateType 3: clear all (no ExtensionList)',
    payload: {
      CallbackCommand: 'Group.CallbackAfterGroupMsgExtension',
      GroupId: GROUP,
      MsgSeq: 123,
      OperateType: 3,
      Seq: 4,
      EventTime: 1670574414123,
    },
  },
  {
    command: 'C2C.CallbackBeforeSendMsg',
    name: 'forwarded messages (TIMRelayElem) with MsgRandom above 2^31, and an unknown element',
    payload: {
      CallbackCommand: 'C2C.CallbackBeforeSendMsg',
      From_Account: 'jared',
      To_Account: 'Jonh',
      MsgSeq: 4294967295,
      MsgRandom: 3998651049,
      MsgTime: 1557481126,
      MsgKey: '4294967295_3998651049_1557481126',
      MsgBody: [
        {
          MsgType: 'TIMRelayElem',
          MsgContent: {
            Title: 'Chat history',
            MsgNum: 1,
            CompatibleText: 'upgrade to see forwarded messages',
            AbstractList: ['jared: hi'],
            MsgList: [
              {
                From_Account: 'jared',
                MsgSeq: 1,
                MsgRandom: 3998651049,
                MsgTimeStamp: 1557481100,
                MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'hi' } }],
              },
            ],
          },
        },
        { MsgType: 'TIMStreamElem', MsgContent: { Something: 'new' } },
      ],
    },
  },
  {
    command: 'Group.CallbackBeforeSendMsg',
    name: 'old-SDK sound element (UUID, Size, Second only) and Random above 2^31',
    payload: {
      CallbackCommand: 'Group.CallbackBeforeSendMsg',
      GroupId: GROUP,
      Type: 'AVChatRoom',
      From_Account: 'jared',
      Random: 3998651049,
      OnlineOnlyFlag: 0,
      MsgBody: [{ MsgType: 'TIMSoundElem', MsgContent: { UUID: '305c0201', Size: 62351, Second: 1 } }],
      EventTime: '1670574414123',
    },
  },
  {
    command: 'State.StateChange',
    name: 'Disconnect without KickedDevice',
    payload: {
      CallbackCommand: 'State.StateChange',
      EventTime: '1629883332497',
      Info: { Action: 'Disconnect', To_Account: 'testuser316', Reason: 'LinkClose' },
    },
  },
  {
    command: 'Group.CallbackAfterGroupInfoChanged',
    name: 'older revision: no EventTime, several changed fields',
    payload: {
      CallbackCommand: 'Group.CallbackAfterGroupInfoChanged',
      GroupId: GROUP,
      Type: 'Public',
      Operator_Account: 'admin',
      Name: 'NewName',
      Introduction: 'New Introduction',
      FaceUrl: 'http://this.is.new.face.url',
      UserDefinedDataList: [{ Key: 'UserDefined1', Value: 'hello' }],
    },
  },
  ...realTrafficVariants(),
  ...additionVariants(),
  {
    command: 'ContentCallback.ResultNotify',
    name: 'group scene',
    payload: {
      Scene: 'Group',
      SdkAppId: 1400187352,
      From_Account: 'jared',
      ContactItem: { ContactType: 2, GroupId: GROUP },
      ContentType: 'Text',
      TextContent: ['spam'],
      MsgID: '144115233406643804-1727580296-4026038328',
      CtxcbResult: 1,
      CtxcbSuggestion: 'Block',
      CtxcbLabel: 'Ad',
    },
  },
];

/** Bodies applications logged from real traffic (protocol reference, "Additions"). */
function realTrafficVariants(): SampleVariant[] {
  const text = (Text: string) => [{ MsgType: 'TIMTextElem', MsgContent: { Text } }];
  return [
    {
      command: 'Group.CallbackAfterSendMsg',
      name: 'real traffic: live-room message without MsgSeq, MsgTime, Random, Operator_Account',
      payload: {
        CallbackCommand: 'Group.CallbackAfterSendMsg',
        GroupId: '@TGS#aQ5JGZHEN',
        Type: 'AVChatRoom',
        From_Account: 'viewer_1024',
        OnlineOnlyFlag: 0,
        MsgBody: text('666'),
      },
    },
    {
      command: 'Group.CallbackBeforeSendMsg',
      name: 'real traffic: live-room message without Random, Operator_Account, EventTime',
      payload: {
        CallbackCommand: 'Group.CallbackBeforeSendMsg',
        GroupId: '@TGS#aQ5JGZHEN',
        Type: 'AVChatRoom',
        From_Account: 'viewer_1024',
        MsgBody: text('hello everyone'),
      },
    },
    {
      command: 'State.StateChange',
      name: 'real traffic: no EventTime',
      payload: {
        CallbackCommand: 'State.StateChange',
        Info: { Action: 'Logout', To_Account: 'testuser316', Reason: 'Unregister' },
      },
    },
    {
      command: 'Group.CallbackAfterNewMemberJoin',
      name: 'real traffic: no EventTime',
      payload: {
        CallbackCommand: 'Group.CallbackAfterNewMemberJoin',
        GroupId: GROUP,
        Type: 'Public',
        JoinType: 'Invited',
        Operator_Account: 'leckie',
        NewMemberList: [{ Member_Account: 'jared' }],
      },
    },
    {
      command: 'Group.CallbackBeforeSendMsg',
      name: 'real traffic: Random 4294967295 (2^32 - 1)',
      payload: {
        CallbackCommand: 'Group.CallbackBeforeSendMsg',
        GroupId: GROUP,
        Type: 'Public',
        From_Account: 'jared',
        Operator_Account: 'jared',
        Random: 4294967295,
        MsgBody: text('max random'),
        EventTime: 1670574414123,
      },
    },
    {
      command: 'Group.CallbackAfterSendMsg',
      name: 'real traffic: REST send without sender (From_Account @TLS#NOT_FOUND)',
      payload: {
        CallbackCommand: 'Group.CallbackAfterSendMsg',
        GroupId: GROUP,
        Type: 'Public',
        From_Account: '@TLS#NOT_FOUND',
        Operator_Account: '@TLS#NOT_FOUND',
        Random: 1287657,
        MsgSeq: 2913,
        MsgTime: 1632193821,
        OnlineOnlyFlag: 0,
        MsgBody: text('system notice'),
        EventTime: 1632193821123,
      },
    },
    {
      command: 'C2C.CallbackBeforeSendMsg',
      name: 'real traffic: REST send without sender (From_Account @TLS#NOT_FOUND)',
      payload: {
        CallbackCommand: 'C2C.CallbackBeforeSendMsg',
        From_Account: '@TLS#NOT_FOUND',
        To_Account: 'Jonh',
        MsgSeq: 93847,
        MsgRandom: 3998651049,
        MsgTime: 1632193821,
        MsgKey: '93847_3998651049_1632193821',
        MsgBody: text('your order shipped'),
      },
    },
    {
      command: 'Group.CallbackBeforeSendMsg',
      name: 'real traffic: MsgPriority',
      payload: {
        CallbackCommand: 'Group.CallbackBeforeSendMsg',
        GroupId: GROUP,
        Type: 'Public',
        From_Account: 'jared',
        Operator_Account: 'jared',
        Random: 123456,
        MsgPriority: 'Normal',
        OnlineOnlyFlag: 0,
        MsgBody: text('red packet'),
        EventTime: 1670574414123,
      },
    },
    {
      command: 'Group.CallbackAfterSendMsg',
      name: 'real traffic: MsgPriority',
      payload: {
        CallbackCommand: 'Group.CallbackAfterSendMsg',
        GroupId: GROUP,
        Type: 'Public',
        From_Account: 'jared',
        Operator_Account: 'jared',
        Random: 123456,
        MsgSeq: 124,
        MsgTime: 1490686222,
        MsgPriority: 'High',
        OnlineOnlyFlag: 0,
        MsgBody: text('red packet'),
        EventTime: 1670574414123,
      },
    },
    {
      command: 'Group.CallbackAfterCreateGroup',
      name: 'real traffic: InviteOption',
      payload: {
        CallbackCommand: 'Group.CallbackAfterCreateGroup',
        GroupId: GROUP,
        Type: 'Public',
        Operator_Account: 'leckie',
        Owner_Account: 'leckie',
        Name: 'MyFirstGroup',
        InviteOption: 'NeedPermission',
        MemberList: [{ Member_Account: 'bob' }],
        EventTime: 1670574414123,
      },
    },
    {
      command: 'C2C.CallbackBeforeSendMsg',
      name: 'real traffic: old body with FriendShip',
      payload: {
        CallbackCommand: 'C2C.CallbackBeforeSendMsg',
        From_Account: 'jared',
        To_Account: 'Jonh',
        FriendShip: 1,
        MsgSeq: 48374,
        MsgRandom: 2837546,
        MsgTime: 1557481126,
        MsgKey: '48374_2837546_1557481126',
        MsgBody: text('hi'),
      },
    },
    {
      command: 'Group.CallbackAfterSendMsg',
      name: 'real traffic: keys sorted alphabetically, nested keys too',
      payload: {
        CallbackCommand: 'Group.CallbackAfterSendMsg',
        CloudCustomData: '',
        EventTime: 1670574414123,
        From_Account: 'jared',
        GroupId: GROUP,
        MsgBody: [{ MsgContent: { Text: 'red packet' }, MsgType: 'TIMTextElem' }],
        MsgPriority: 'Normal',
        MsgSeq: 125,
        MsgTime: 1490686222,
        OnlineOnlyFlag: 0,
        Operator_Account: 'jared',
        Random: 3998651049,
        Type: 'Public',
      },
    },
  ];
}

/** Fields and values the docs added (protocol reference, "Additions"). */
function additionVariants(): SampleVariant[] {
  const text = [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'red packet' } }];
  const msgId = '144115233406643804-1727580296-4026038328';
  return [
    {
      command: 'State.StateChange',
      name: 'custom status set (CustomStatusChange / SetCustomStatus)',
      payload: {
        CallbackCommand: 'State.StateChange',
        EventTime: 1629883332497,
        Info: {
          Action: 'CustomStatusChange',
          To_Account: 'testuser316',
          Reason: 'SetCustomStatus',
          CustomStatus: 'in a meeting',
        },
      },
    },
    {
      command: 'C2C.CallbackBeforeSendMsg',
      name: 'MsgId (client-side message id)',
      payload: {
        CallbackCommand: 'C2C.CallbackBeforeSendMsg',
        From_Account: 'jared',
        To_Account: 'Jonh',
        MsgSeq: 48374,
        MsgRandom: 2837546,
        MsgTime: 1557481126,
        MsgKey: '48374_2837546_1557481126',
        MsgId: msgId,
        OnlineOnlyFlag: 1,
        MsgBody: text,
        CloudCustomData: 'your cloud custom data',
      },
    },
    {
      command: 'Group.CallbackBeforeSendMsg',
      name: 'MsgId (client-side message id)',
      payload: {
        CallbackCommand: 'Group.CallbackBeforeSendMsg',
        GroupId: GROUP,
        Type: 'Community',
        From_Account: 'jared',
        Operator_Account: 'admin',
        Random: 123456,
        MsgId: msgId,
        OnlineOnlyFlag: 1,
        MsgBody: text,
        CloudCustomData: 'your cloud custom data',
        TopicId: '@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic',
        EventTime: 1670574414123,
      },
    },
    {
      command: 'Group.CallbackAfterRecallMsg',
      name: 'MsgSeqList items with MsgId',
      payload: {
        CallbackCommand: 'Group.CallbackAfterRecallMsg',
        GroupId: GROUP,
        Type: 'Public',
        Operator_Account: 'admin',
        MsgSeqList: [
          { MsgSeq: 1, MsgId: msgId },
          { MsgSeq: 2, MsgId: '144115233406643804-1727580297-4026038329' },
        ],
        TopicId: '',
        EventTime: 1670574414123,
      },
    },
    {
      command: 'Group.CallbackAfterNewMemberJoin',
      name: 'group type Live',
      payload: {
        CallbackCommand: 'Group.CallbackAfterNewMemberJoin',
        GroupId: '@LIVE#room_1024',
        Type: 'Live',
        JoinType: 'Apply',
        Operator_Account: 'viewer_1024',
        NewMemberList: [{ Member_Account: 'viewer_1024' }],
        EventTime: 1670574414123,
      },
    },
    {
      command: 'Group.CallbackBeforeSendMsg',
      name: 'group type Live',
      payload: {
        CallbackCommand: 'Group.CallbackBeforeSendMsg',
        GroupId: '@LIVE#room_1024',
        Type: 'Live',
        From_Account: 'viewer_1024',
        Random: 654321,
        MsgPriority: 'Low',
        MsgBody: text,
        EventTime: 1670574414123,
      },
    },
    {
      command: 'Call.CallbackAfterStartCall',
      name: 'MediaType spelling of the field table, numeric room',
      payload: {
        CallbackCommand: 'Call.CallbackAfterStartCall',
        CallInfo: {
          CallId: '04c9a0ac-8e38-4a19-be45-349c5ce7911b',
          MediaType: 'Video',
          ChatGroupId: GROUP,
          RoomId: 1434,
          RoomIdType: 1,
        },
        UserList: [
          { User_Account: 'user1', Status: 'Calling' },
          { User_Account: 'user5', Status: 'Waiting' },
          { User_Account: 'user2', Status: 'Waiting' },
        ],
        EventTime: 1740464128807,
      },
    },
    {
      command: 'Call.CallbackAfterEndCall',
      name: 'group call ended normally',
      payload: {
        CallbackCommand: 'Call.CallbackAfterEndCall',
        CallRecord: {
          CallId: '04c9a0ac-8e38-4a19-be45-349c5ce7911b',
          Caller_Account: 'user1',
          MediaType: 'Video',
          CallType: 'MultiCall',
          StartTime: 1739868165,
          EndTime: 1740064224,
          AcceptTime: 1739872743,
          CallResult: 'NormalEnd',
          CalleeList_Account: ['user1', 'user5', 'user2'],
          RoomId: 'roomid-1434',
          RoomIdType: 2,
        },
        EventTime: 1740064224123,
      },
    },
    {
      command: 'Call.CallbackAfterMemberChanged',
      name: 'English example spelling (ActionType Answer)',
      payload: {
        CallbackCommand: 'Call.CallbackAfterMemberChanged',
        CallId: '055662e1-bc8a-469c-a334-1126c8c17d58',
        UserList: [
          { User_Account: 'user1', Status: 'Calling' },
          { User_Account: 'user2', Status: 'Calling' },
        ],
        ChangedUserList: [{ User_Account: 'user2', ActionType: 'Answer' }],
        EventTime: 1740464128807,
      },
    },
  ];
}
