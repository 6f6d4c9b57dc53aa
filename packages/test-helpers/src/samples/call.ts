/**
 * Samples: call (TUICallKit) callbacks, as the Chinese call pages show them (647/116423, 647/116424,
 * 647/117872; listed in IM's 269/129102). EventTime a number (milliseconds), call times in seconds.
 */
import type { SamplesOf } from './types.js';

const CALL = '055662e1-bc8a-469c-a334-1126c8c17d58';

export const callSamples: SamplesOf<'Call.'> = {
  'Call.CallbackAfterStartCall': {
    CallbackCommand: 'Call.CallbackAfterStartCall',
    CallInfo: { CallId: CALL, CallMediaType: 'Audio', ChatGroupId: '', RoomId: '', RoomIdType: 1 },
    UserList: [
      { User_Account: 'user1', Status: 'Calling' },
      { User_Account: 'user2', Status: 'Waiting' },
    ],
    EventTime: 1740464128807,
  },
  'Call.CallbackAfterEndCall': {
    CallbackCommand: 'Call.CallbackAfterEndCall',
    CallRecord: {
      CallId: CALL,
      Caller_Account: '10001',
      MediaType: 'Audio',
      CallType: 'SingleCall',
      StartTime: 1741231146,
      EndTime: 1741231296,
      AcceptTime: 0,
      CallResult: 'NotAnswer',
      CalleeList_Account: ['10001', 'user2'],
      RoomId: 'roomid-1434',
      RoomIdType: 2,
    },
    EventTime: 1703589922780,
  },
  'Call.CallbackAfterMemberChanged': {
    CallbackCommand: 'Call.CallbackAfterMemberChanged',
    CallId: CALL,
    UserList: [
      { User_Account: 'user1', Status: 'Calling' },
      { User_Account: 'user2', Status: 'Calling' },
    ],
    ChangedUserList: [{ User_Account: 'user2', ActionType: 'Accept' }],
    EventTime: 1740464128807,
  },
};
