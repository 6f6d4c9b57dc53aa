/** Samples: C2C message callbacks (protocol reference §1.4). EventTime a number, as documented. */
import type { SamplesOf } from './types.js';

const text = [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'red packet' } }];

const message = {
  From_Account: 'jared',
  To_Account: 'Jonh',
  MsgSeq: 48374,
  MsgRandom: 2837546,
  MsgTime: 1557481126,
  MsgKey: '48374_2837546_1557481126',
  OnlineOnlyFlag: 1,
  MsgBody: text,
  CloudCustomData: 'your cloud custom data',
};

export const c2cSamples: SamplesOf<'C2C.'> = {
  'C2C.CallbackBeforeSendMsg': { CallbackCommand: 'C2C.CallbackBeforeSendMsg', ...message },
  'C2C.CallbackAfterSendMsg': {
    CallbackCommand: 'C2C.CallbackAfterSendMsg',
    ...message,
    SendMsgResult: 0,
    ErrorInfo: 'send msg succeed',
    UnreadMsgNum: 2,
  },
  'C2C.CallbackAfterMsgReport': {
    CallbackCommand: 'C2C.CallbackAfterMsgReport',
    Report_Account: 'jared',
    Peer_Account: 'Jonh',
    LastReadTime: 1557481126,
    UnreadMsgNum: 0,
  },
  'C2C.CallbackAfterMsgWithDraw': {
    CallbackCommand: 'C2C.CallbackAfterMsgWithDraw',
    From_Account: 'jared',
    To_Account: 'Jonh',
    MsgKey: '48374_2837546_1557481126',
    UnreadMsgNum: 7,
  },
  'C2C.CallbackAfterC2CMsgExtension': {
    CallbackCommand: 'C2C.CallbackAfterC2CMsgExtension',
    From_Account: 'jared',
    To_Account: 'Jonh',
    MsgKey: '48374_2837546_1557481126',
    OperateType: 1,
    ExtensionList: [
      { Key: 'like', Value: 'jared', Seq: 1 },
      { Key: 'vote', Value: 'A', Seq: 2 },
    ],
    Seq: 2,
    EventTime: 1670574414123,
  },
  'C2C.CallbackAfterModifyMsg': {
    CallbackCommand: 'C2C.CallbackAfterModifyMsg',
    Operator_Account: 'jared',
    ...message,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'red packet (edited)' } }],
    EventTime: 1670574414123,
  },
};
