/**
 * Call (TUICallKit) status callbacks. They are listed in the IM docs ("回调命令列表", 269/129102,
 * 2026-03-16) and use IM's transport and reply; their pages are the call product's:
 * start 647/116423 (EN 647/68941, trtc.io/document/68941), end 647/116424 (EN 647/68940),
 * member changed 647/117872 (EN 647/69215). All three are after-callbacks (`ErrorCode` 0 ignores the
 * result). Required (rule 5): the call's id and the accounts; everything else is optional.
 *
 * Doc quirks: the start page's example nests the call in `CallInfo` and spells the media type
 * `CallMediaType` while its field table (flat) says `MediaType`, so both spellings are typed; one
 * English example sends `User_Account` as a JSON number above 2^53 (144115212830834855) where the
 * field table says String: such a number cannot be read exactly, so `User_Account` stays a string
 * (a number there is a malformed callback, reported to `onError`). The end page's Chinese table
 * types `CallResult` Integer but lists (and sends) strings.
 */
import * as v from 'valibot';
import { defineCommand } from './define.js';
import { accountList, eventTime, int, oneOf, str } from './fields.js';

const opt = v.optional;

/** `Video` video call, `Audio` audio call. */
const mediaType = oneOf(['Video', 'Audio']);

/** A TRTC room id: a string, or a number for numeric rooms (`RoomIdType` 1); delivered as sent. */
const roomId = v.union([v.string(), v.number()], 'Invalid type: Expected string or number');

/** `Calling` in the call, `Waiting` not answered yet. */
const callUser = v.looseObject({ User_Account: str, Status: opt(oneOf(['Calling', 'Waiting'])) });

export const callCommands = [
  defineCommand({
    command: 'Call.CallbackAfterStartCall',
    domain: 'call',
    form: 'ack',
    summary: 'A call was started (TUICallKit).',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      CallInfo: v.looseObject({
        CallId: str,
        /** The example's spelling. */
        CallMediaType: opt(mediaType),
        /** The field table's spelling. */
        MediaType: opt(mediaType),
        /** The IM group of a group call ("" otherwise). */
        ChatGroupId: opt(str),
        RoomId: opt(roomId),
        /** 1 numeric room id, 2 string room id. */
        RoomIdType: opt(int),
      }),
      /** The call's members (the caller `Calling`, the callees `Waiting`). */
      UserList: v.array(callUser),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Call.CallbackAfterEndCall',
    domain: 'call',
    form: 'ack',
    summary: 'A call ended (at most one member left); its record is attached (TUICallKit).',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      CallRecord: v.looseObject({
        CallId: str,
        /** The caller. */
        Caller_Account: str,
        MediaType: opt(mediaType),
        /** `SingleCall` one-to-one, `MultiCall` group call. */
        CallType: opt(oneOf(['SingleCall', 'MultiCall'])),
        /** Seconds. */
        StartTime: opt(int),
        /** Seconds. */
        EndTime: opt(int),
        /** Seconds; 0 when the call was never answered. */
        AcceptTime: opt(int),
        /**
         * `Cancel` caller cancelled before answer, `Reject` callee declined, `NotAnswer` callee timed
         * out, `NormalEnd` answered and ended normally, `CallBusy` line busy, `Interrupt` interrupted
         * (network...), `Offline` ended by a heartbeat timeout.
         */
        CallResult: opt(oneOf(['Cancel', 'Reject', 'NotAnswer', 'NormalEnd', 'CallBusy', 'Interrupt', 'Offline'])),
        /** The call's members (the example lists the caller too). */
        CalleeList_Account: accountList,
        RoomId: opt(roomId),
        /** 1 numeric room id, 2 string room id. */
        RoomIdType: opt(int),
      }),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Call.CallbackAfterMemberChanged',
    domain: 'call',
    form: 'ack',
    summary: "A call member's state changed: answered, declined, hung up, joined, went offline... (TUICallKit).",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      CallId: str,
      /** The call's members after the change. */
      UserList: v.array(callUser),
      /** The members whose state changed, and the operation that changed it. */
      ChangedUserList: opt(
        v.array(
          v.looseObject({
            User_Account: str,
            /**
             * The documented spellings: `Accept` (`Answer` in the English example), `Reject`,
             * `NotAnswer`, `Hangup` (`HangUp` in the Chinese table), `Join`, `Offline` (heartbeat
             * expired), `Invite` (`Invited` in the English table), `Cancel_Invite`.
             */
            ActionType: opt(
              oneOf([
                'Accept',
                'Answer',
                'Reject',
                'NotAnswer',
                'Hangup',
                'HangUp',
                'Join',
                'Offline',
                'Invite',
                'Invited',
                'Cancel_Invite',
              ]),
            ),
          }),
        ),
      ),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
] as const;
