/** Profile, relationship chain (Sns: friends and blocklist) and follow callbacks (protocol reference §1.3). */
import * as v from 'valibot';
import { defineCommand, FRIEND_REJECT_CODES } from './define.js';
import { accountList, advisory, eventTime, int, oneOf, pairItem, profileValue, str } from './fields.js';

const opt = v.optional;

const pairList = v.array(pairItem);

export const relationCommands = [
  defineCommand({
    command: 'Profile.CallbackPortraitSet',
    domain: 'relation',
    form: 'ack',
    summary: "A user's profile was changed.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      Operator_Account: opt(str),
      /** Whose profile changed. */
      From_Account: str,
      /** Milliseconds. */
      EventTime: opt(eventTime),
      /** The changed fields; `Value` is a number or a string depending on the tag, delivered as sent. */
      ProfileItem: v.array(v.looseObject({ Tag: str, Value: profileValue })),
    }),
  }),
  defineCommand({
    command: 'Sns.CallbackPrevFriendAdd',
    domain: 'relation',
    form: 'friend',
    friendItems: 'FriendItem',
    rejectCodes: FRIEND_REJECT_CODES,
    summary: 'A user is about to add friends: decide per friend.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      /** Who sent the request (an admin when triggered through REST). */
      Requester_Account: opt(str),
      From_Account: str,
      FriendItem: v.array(
        v.looseObject({
          To_Account: str,
          Remark: opt(str),
          GroupName: opt(str),
          AddSource: opt(str),
          AddWording: opt(str),
        }),
      ),
      AddType: opt(oneOf(['Add_Type_Single', 'Add_Type_Both'])),
      /** 1 forced by an admin, 0 otherwise. */
      ForceAddFlags: advisory(int),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Sns.CallbackPrevFriendResponse',
    domain: 'relation',
    form: 'friend',
    friendItems: 'ResponseFriendItem',
    rejectCodes: FRIEND_REJECT_CODES,
    summary: 'A user is about to answer friend requests: decide per friend.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      Requester_Account: opt(str),
      /** The responder. */
      From_Account: str,
      ResponseFriendItem: v.array(
        v.looseObject({
          To_Account: str,
          Remark: opt(str),
          TagName: opt(str),
          ResponseAction: oneOf(['Response_Action_AgreeAndAdd', 'Response_Action_Agree', 'Response_Action_Reject']),
        }),
      ),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Sns.CallbackFriendAdd',
    domain: 'relation',
    form: 'ack',
    summary: 'Friends were added.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      PairList: v.array(v.looseObject({ From_Account: str, To_Account: str, Initiator_Account: opt(str) })),
      /** Requests send `friend_add` (or `FriendAdd`), responses `friend_response` (or `FriendResponse`). */
      ClientCmd: opt(oneOf(['friend_add', 'FriendAdd', 'friend_response', 'FriendResponse'])),
      /** The admin when triggered through REST, else "". */
      Admin_Account: opt(str),
      ForceFlag: advisory(int),
      /** Milliseconds (absent in the doc example). */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Sns.CallbackFriendDelete',
    domain: 'relation',
    form: 'ack',
    summary: 'Friends were deleted.',
    schema: v.looseObject({ CallbackCommand: opt(str), PairList: pairList, EventTime: opt(eventTime) }),
  }),
  defineCommand({
    command: 'Sns.CallbackBlackListAdd',
    domain: 'relation',
    form: 'ack',
    summary: 'Users were added to a blocklist.',
    schema: v.looseObject({ CallbackCommand: opt(str), PairList: pairList, EventTime: opt(eventTime) }),
  }),
  defineCommand({
    command: 'Sns.CallbackBlackListDelete',
    domain: 'relation',
    form: 'ack',
    summary: 'Users were removed from a blocklist.',
    schema: v.looseObject({ CallbackCommand: opt(str), PairList: pairList, EventTime: opt(eventTime) }),
  }),
  defineCommand({
    command: 'Follow.CallbackAfterFollowAdd',
    domain: 'relation',
    form: 'ack',
    summary: 'A user followed other users.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      From_Account: str,
      FollowList: v.array(v.looseObject({ To_Account: str })),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'Follow.CallbackAfterFollowDelete',
    domain: 'relation',
    form: 'ack',
    summary: 'A user unfollowed other users.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      From_Account: str,
      /** Plain account strings (unlike `FollowList` of FollowAdd). */
      To_Account: accountList,
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
] as const;
