/** Samples: Alert, State, Profile, Sns, Follow (protocol reference §1.1–§1.3). EventTime a number, as documented. */
import type { SamplesOf } from './types.js';

export const operationsSamples: SamplesOf<'Alert.'> = {
  'Alert.RequestOverLimit': {
    CallbackCommand: 'Alert.RequestOverLimit',
    ServiceName: 'openim',
    Command: 'sendmsg',
    Request: 160,
    Limit: 200,
  },
};

export const stateSamples: SamplesOf<'State.'> = {
  'State.StateChange': {
    CallbackCommand: 'State.StateChange',
    EventTime: 1629883332497,
    Info: { Action: 'Login', To_Account: 'testuser316', Reason: 'Register' },
    KickedDevice: [{ Platform: 'Windows' }, { Platform: 'Android' }],
  },
};

export const relationSamples: SamplesOf<'Profile.' | 'Sns.' | 'Follow.'> = {
  'Profile.CallbackPortraitSet': {
    CallbackCommand: 'Profile.CallbackPortraitSet',
    Operator_Account: 'admin',
    From_Account: 'jared',
    EventTime: 1670574414123,
    ProfileItem: [
      { Tag: 'Tag_Profile_IM_Nick', Value: 'MyNickName' },
      { Tag: 'Tag_Profile_IM_Gender', Value: 'Gender_Type_Male' },
      { Tag: 'Tag_Profile_IM_Level', Value: 7 },
      { Tag: 'Tag_Profile_Custom_Score', Value: 4294967295 },
    ],
  },
  'Sns.CallbackPrevFriendAdd': {
    CallbackCommand: 'Sns.CallbackPrevFriendAdd',
    Requester_Account: 'id',
    From_Account: 'id',
    FriendItem: [
      {
        To_Account: 'id1',
        Remark: 'remark1',
        GroupName: 'group1',
        AddSource: 'AddSource_Type_Android',
        AddWording: 'hello',
      },
      { To_Account: 'id2', Remark: 'remark2', GroupName: 'group2', AddSource: 'AddSource_Type_iOS', AddWording: 'hi' },
    ],
    AddType: 'Add_Type_Both',
    ForceAddFlags: 1,
    EventTime: 1670574414123,
  },
  'Sns.CallbackPrevFriendResponse': {
    CallbackCommand: 'Sns.CallbackPrevFriendResponse',
    Requester_Account: 'id',
    From_Account: 'id',
    ResponseFriendItem: [
      { To_Account: 'id1', Remark: 'remark1', TagName: 'group1', ResponseAction: 'Response_Action_AgreeAndAdd' },
      { To_Account: 'id2', Remark: 'remark2', TagName: 'group2', ResponseAction: 'Response_Action_Reject' },
    ],
    EventTime: 1670574414123,
  },
  'Sns.CallbackFriendAdd': {
    CallbackCommand: 'Sns.CallbackFriendAdd',
    PairList: [
      { From_Account: 'id', To_Account: 'id1', Initiator_Account: 'id' },
      { From_Account: 'id1', To_Account: 'id', Initiator_Account: 'id' },
    ],
    ClientCmd: 'friend_add',
    Admin_Account: 'admin',
    ForceFlag: 0,
  },
  'Sns.CallbackFriendDelete': {
    CallbackCommand: 'Sns.CallbackFriendDelete',
    PairList: [
      { From_Account: 'id', To_Account: 'id1' },
      { From_Account: 'id1', To_Account: 'id' },
    ],
  },
  'Sns.CallbackBlackListAdd': {
    CallbackCommand: 'Sns.CallbackBlackListAdd',
    PairList: [{ From_Account: 'id', To_Account: 'id1' }],
  },
  'Sns.CallbackBlackListDelete': {
    CallbackCommand: 'Sns.CallbackBlackListDelete',
    PairList: [{ From_Account: 'id', To_Account: 'id1' }],
  },
  'Follow.CallbackAfterFollowAdd': {
    CallbackCommand: 'Follow.CallbackAfterFollowAdd',
    From_Account: 'user0',
    FollowList: [{ To_Account: 'user1' }, { To_Account: 'user2' }],
    EventTime: 1670574414123,
  },
  'Follow.CallbackAfterFollowDelete': {
    CallbackCommand: 'Follow.CallbackAfterFollowDelete',
    From_Account: 'user0',
    To_Account: ['user1', 'user2'],
    EventTime: 1670574414123,
  },
};
