/**
 * The request examples of the two Tencent doc pages the project started from (`shared/seeds/`),
 * copied verbatim, comments and all. Doc examples carry `//` comments, so `jsonFromDocExample`
 * removes them (outside strings) to get the JSON the IM backend actually sends.
 */

/** Group.CallbackAfterSendMsg, Chinese page (EventTime a number, GroupAtInfo). */
export const seedAfterSendMsgZh =
  '{\n"CallbackCommand": "Group.CallbackAfterSendMsg", // 回调命令\n"GroupId": "@TGS#2J4SZEAEL", // 群组 ID\n"Type": "Public", // 群组类型\n"From_Account": "jared", // 发送者\n"Operator_Account":"admin", // 请求的发起者\n"Random": 123456, // 随机数\n"MsgSeq": 123, // 消息的序列号\n"MsgTime": 1490686222, // 消息的时间\n"OnlineOnlyFlag": 1, //在线消息,为1,否则为0;直播群忽略此属性,为默认值0。\n"MsgBody": [ // 消息体,参见 TIMMessage 消息对象\n{\n"MsgType": "TIMTextElem", // 文本\n"MsgContent": {\n"Text": "red packet"\n}\n}\n],\n"CloudCustomData": "your cloud custom data",\n"EventTime": 1670574414123, //毫秒级别,事件触发时间戳\n"GroupAtInfo" : [\n{\n"GroupAtAllFlag" : 1 //@all\n},\n{\n"GroupAtAllFlag" : 0,\n"GroupAt_Account" : "brennan" //@brennan\n},\n{\n"GroupAtAllFlag" : 0,\n"GroupAt_Account" : "tandy" //@tandy\n}\n]\n}';

/** Group.CallbackSendMsgException, Chinese page (EventTime a **string**). */
export const seedSendMsgExceptionZh =
  '{\n    "CallbackCommand": "Group.CallbackSendMsgException", // 回调命令\n    "GroupId": "@TGS#2J4SZEAEL", // 群组 ID\n    "Type": "Public", // 群组类型\n    "From_Account": "jared", // 发送者\n    "Operator_Account":"admin", // 请求的发起者\n    "Random": 123456, // 随机数\n    "OnlineOnlyFlag": 1, //在线消息，为1，否则为0；直播群忽略此属性，为默认值0。\n    "MsgBody": [ // 消息体，参见 TIMMessage 消息对象\n        {\n            "MsgType": "TIMTextElem", // 文本\n            "MsgContent": {\n                "Text": "red packet"\n            }\n        }\n    ],\n    "CloudCustomData": "your cloud custom data",\n    "ErrorCode": 10023, // 消息异常错误码\n    "ErrorInfo": "msg count exceeds limit,please retry later", // 消息异常详细信息\n    "EventTime":"1670574414123"//毫秒级别，事件触发时间戳\t\t\n}';

/**
 * Group.CallbackSendMsgException, English page as published: flattened onto one line with its
 * comments, and missing a comma before `EventTime`. Not JSON, whatever one strips: a receiver
 * must refuse it with 400.
 */
export const seedSendMsgExceptionEn =
  '{"CallbackCommand": "Group.CallbackSendMsgException", // Callback command"GroupId": "@TGS#2J4SZEAEL", // Group ID"Type": "Public", // Group type"From_Account": "jared", // Sender"Operator_Account":"admin", // Request initiator"Random": 123456, // Random number"OnlineOnlyFlag": 1, // The value is `1` if it is an online message and `0` (default) if it’s not. For audio-video groups, the value is `0`."MsgBody": [ // Message body. For more information, see the `TIMMessage` message object.{"MsgType": "TIMTextElem", // Text"MsgContent":{"Text": "red packet"}}],"CloudCustomData": "your cloud custom data","ErrorCode": 10023, // Message exception error code"ErrorInfo": "msg count exceeds limit,please retry later" // Message exception details"EventTime":"1670574414123"// Event trigger timestamp in milliseconds}';

/** Removes line and block comments outside strings (doc examples are JSONC). */
export function jsonFromDocExample(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i === -1) break;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}
