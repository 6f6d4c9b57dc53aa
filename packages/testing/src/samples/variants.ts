/**
 * Documented alternates of the main samples: the other `EventTime` spelling (number vs string of
 * digits, §1.9), key-casing variants, the `ClientCmd` spellings, extension operate types, old SDK
 * elements, values above 2^31, unknown `MsgType` elements, and a real-traffic body that differs from
 * the docs (`CreatedGroupNum`). Each must be accepted and delivered to `on(command)`.
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
