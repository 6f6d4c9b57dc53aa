/** Samples: content moderation, chatbots (§1.6), official accounts (§1.7), push batches (§1.8). */
import type { SamplesOf } from './types.js';

const OA = '@TOA#_2C5SZEAEF';

export const moderationSamples: SamplesOf<'ContentCallback.' | 'Bot.' | 'Chatbot.'> = {
  // No CallbackCommand in the body: the command is only in the query.
  'ContentCallback.ResultNotify': {
    Scene: 'C2C',
    SdkAppId: 1400187352,
    From_Account: 'jared',
    ContactItem: { ContactType: 1, To_Account: 'Jonh' },
    ContentType: 'Text',
    TextContent: ['buy cheap followers now'],
    MsgID: '144115233406643804-1727580296-4026038328',
    CtxcbResult: 1,
    CtxcbRequestId: 'b7f2c2e6-1c1a-4f0c-9f7e-0c3f6e6a2d11',
    CtxcbKeywords: ['cheap followers'],
    CtxcbSuggestion: 'Review',
    CtxcbLabel: 'Ad',
    CtxcbSubLabel: 'AdvertisingSpam',
    CtxcbSubLabelDesc: 'advertising',
    CtxcbLibName: 'default',
    CloudCustomData: '',
  },
  'Bot.OnC2CMessage': {
    CallbackCommand: 'Bot.OnC2CMessage',
    From_Account: 'jared',
    To_Account: '@RBT#001',
    MsgSeq: 48374,
    MsgRandom: 2837546,
    MsgTime: 1557481126,
    MsgKey: '48374_2837546_1557481126',
    OnlineOnlyFlag: 0,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'hello bot' } }],
    CloudCustomData: '',
    EventTime: 1670574414123,
  },
  // No documented example: a C2C-shaped signalling message (TUICallKit puts its signalling in a custom element).
  'Chatbot.OnC2CSignalMessage': {
    CallbackCommand: 'Chatbot.OnC2CSignalMessage',
    From_Account: 'jared',
    To_Account: '@RBT#001',
    MsgSeq: 48375,
    MsgRandom: 2837547,
    MsgTime: 1557481130,
    MsgKey: '48375_2837547_1557481130',
    MsgBody: [
      {
        MsgType: 'TIMCustomElem',
        MsgContent: { Data: '{"businessID":1,"inviteID":"a1b2","actionType":1,"timeout":30}', Desc: '', Ext: '' },
      },
    ],
    EventTime: 1670574414200,
  },
  'Bot.OnGroupMessage': {
    CallbackCommand: 'Bot.OnGroupMessage',
    GroupId: '@TGS#2J4SZEAEL',
    Type: 'Public',
    From_Account: 'jared',
    Operator_Account: 'jared',
    Random: 123456,
    MsgSeq: 123,
    MsgTime: 1490686222,
    OnlineOnlyFlag: 0,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: '@bot what is the weather' } }],
    CloudCustomData: '',
    AtRobots_Account: ['@RBT#001'],
    EventTime: 1670574414123,
  },
};

const subscribers = {
  Official_Account: OA,
  Operator_Account: 'admin',
  SubscribeAccountList: [{ Subscriber_Account: 'user1' }, { Subscriber_Account: 'user2' }],
  EventTime: 1670574414123,
};

export const officialAccountSamples: SamplesOf<'OfficialAccount.'> = {
  'OfficialAccount.CallbackBeforeCreateOfficialAccount': {
    CallbackCommand: 'OfficialAccount.CallbackBeforeCreateOfficialAccount',
    Operator_Account: 'admin',
    Owner_Account: 'leckie',
    Name: 'MyOfficialAccount',
    EventTime: 1670574414123,
  },
  'OfficialAccount.CallbackAfterCreateOfficialAccount': {
    CallbackCommand: 'OfficialAccount.CallbackAfterCreateOfficialAccount',
    Official_Account: OA,
    Operator_Account: 'admin',
    Owner_Account: 'leckie',
    Name: 'MyOfficialAccount',
    EventTime: 1670574414123,
  },
  'OfficialAccount.CallbackAfterOfficialAccountInfoChanged': {
    CallbackCommand: 'OfficialAccount.CallbackAfterOfficialAccountInfoChanged',
    Official_Account: OA,
    Operator_Account: 'admin',
    Introduction: 'New Introduction',
    Name: 'NewName',
    FaceUrl: 'http://this.is.new.face.url',
    Organization: 'NewOrganization',
    EventTime: 1670574414123,
  },
  'OfficialAccount.CallbackAfterOfficialAccountDestroyed': {
    CallbackCommand: 'OfficialAccount.CallbackAfterOfficialAccountDestroyed',
    Official_Account: OA,
    Owner_Account: 'leckie',
    Name: 'MyOfficialAccount',
    EventTime: 1670574414123,
  },
  'OfficialAccount.CallbackBeforeAddSubscriber': {
    CallbackCommand: 'OfficialAccount.CallbackBeforeAddSubscriber',
    ...subscribers,
  },
  'OfficialAccount.CallbackAfterAddSubscriber': {
    CallbackCommand: 'OfficialAccount.CallbackAfterAddSubscriber',
    ...subscribers,
  },
  'OfficialAccount.CallbackAfterOfficialAccountFull': {
    CallbackCommand: 'OfficialAccount.CallbackAfterOfficialAccountFull',
    Official_Account: OA,
    EventTime: 1670574414123,
  },
  'OfficialAccount.CallbackAfterDeleteSubscriber': {
    CallbackCommand: 'OfficialAccount.CallbackAfterDeleteSubscriber',
    ...subscribers,
  },
  'OfficialAccount.CallbackBeforeSendMsg': {
    CallbackCommand: 'OfficialAccount.CallbackBeforeSendMsg',
    Official_Account: OA,
    OnlineOnlyFlag: 0,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'weekly news' } }],
    CloudCustomData: 'your cloud custom data',
    EventTime: 1670574414123,
  },
  'OfficialAccount.CallbackAfterSendMsg': {
    CallbackCommand: 'OfficialAccount.CallbackAfterSendMsg',
    Official_Account: OA,
    MsgKey: '2837546_1557481126_48374',
    MsgTime: 1557481126,
    OnlineOnlyFlag: 0,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'weekly news' } }],
    CloudCustomData: 'your cloud custom data',
    EventTime: 1670574414123,
  },
  'OfficialAccount.CallbackAfterMsgWithDraw': {
    CallbackCommand: 'OfficialAccount.CallbackAfterMsgWithDraw',
    Official_Account: OA,
    WithdrawMsgList: [{ MsgKey: '2837546_1557481126_48374' }],
    EventTime: 1670574414123,
  },
};

// Push batches: `Events` items carry the command; EventTime is Unix **seconds**.
export const pushSamples: SamplesOf<'Push.'> = {
  'Push.OfflinePush': {
    Events: [
      {
        CallbackCommand: 'Push.OfflinePush',
        EventType: 1,
        EventTime: 1683266423,
        From_Account: 'jared',
        To_Account: 'Jonh',
        PushPlatform: 1,
        PushStage: 2,
        MsgKey: '48374_2837546_1557481126',
        MsgSeq: 48374,
        MsgRandom: 2837546,
        MsgTime: 1557481126,
        PushID: '1683266423_144115233406643804',
        ErrCode: 0,
        ErrInfo: '',
      },
      {
        CallbackCommand: 'Push.OfflinePush',
        EventType: 2,
        EventTime: 1683266425,
        From_Account: 'jared',
        To_Account: 'peter',
        PushPlatform: 4,
        PushStage: 3,
        GroupID: '@TGS#2J4SZEAEL',
        MsgSeq: 123,
        MsgRandom: 3998651049,
        MsgTime: 1683266420,
        PushID: '1683266425_144115233406643805',
        ErrCode: 0,
        ErrInfo: '',
      },
    ],
  },
  'Push.AllMemberPush': {
    Events: [
      {
        CallbackCommand: 'Push.AllMemberPush',
        EventType: 3,
        TaskId: '6442d8b2_537529d8_200000ac934e87a_22f3c0a9_f7c09d7f',
        TaskTime: 1683266400,
        EventTime: 1683266423,
        To_Account: 'Jonh',
        PushPlatform: 3,
        PushStage: 1,
        ErrCode: 0,
        ErrInfo: '',
      },
    ],
  },
};
