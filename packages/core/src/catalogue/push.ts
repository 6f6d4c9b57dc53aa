/**
 * Push-plugin callbacks (protocol reference §1.8). These arrive as **batches**: the body is
 * `{ "Events": [ ...1 to 100 items... ] }` with `CallbackCommand` inside each item, not at the top.
 * One request is one event: `payload.Events` is the typed array of items (the handler runs once per
 * batch, not once per item). `EventTime` (and `TaskTime`, `MsgTime`) are Unix **seconds** here,
 * not milliseconds.
 */
import * as v from 'valibot';
import { defineCommand } from './define.js';
import { int, signedInt, str, u32 } from './fields.js';

const opt = v.optional;

const pushItemFields = {
  CallbackCommand: opt(str),
  /** 1 C2C, 2 group (OfflinePush); the push task type (AllMemberPush). */
  EventType: opt(int),
  /** Unix **seconds** (unlike every other command's milliseconds). */
  EventTime: opt(int),
  To_Account: opt(str),
  /** 0 unknown, 1 APNs, 2 Xiaomi, 3 Huawei, 4 FCM, 5 Meizu, 6 OPPO, 7 vivo, 8 Honor. */
  PushPlatform: opt(int),
  /** 1 sent, 2 delivered, 3 clicked. */
  PushStage: opt(int),
  ErrCode: opt(signedInt),
  ErrInfo: opt(str),
};

function batch<E extends v.ObjectEntries>(item: E) {
  return v.looseObject({
    /** Present in no documented example; tolerated. */
    CallbackCommand: opt(str),
    Events: v.array(v.looseObject(item)),
  });
}

export const pushCommands = [
  defineCommand({
    command: 'Push.OfflinePush',
    domain: 'push',
    form: 'ack',
    summary: 'A batch of offline-push results (sent, delivered, clicked) for messages. EventTime in seconds.',
    schema: batch({
      ...pushItemFields,
      From_Account: opt(str),
      /** C2C messages. */
      MsgKey: opt(str),
      /** Group messages (capital `ID`, unlike `GroupId` elsewhere). */
      GroupID: opt(str),
      MsgSeq: opt(u32),
      MsgRandom: opt(u32),
      /** Seconds. */
      MsgTime: opt(int),
      PushID: opt(str),
    }),
  }),
  defineCommand({
    command: 'Push.AllMemberPush',
    domain: 'push',
    form: 'ack',
    summary: 'A batch of push-to-all results (sent, delivered, clicked). EventTime in seconds.',
    schema: batch({
      ...pushItemFields,
      TaskId: opt(str),
      /** Seconds. */
      TaskTime: opt(int),
    }),
  }),
] as const;
