/** Profile, relationship chain (Sns: friends and blocklist) and follow callbacks (protocol reference §1.3). */
import * as v from 'valibot';
import { defineCommand, FRIEND_REJECT_CODES } from './define.js';
import { accountList, advisory, eventTime, int, oneOf, pairItem, profileValue, str } from './fields.js';

const opt = v.optional;

const pairList = v.array(pairItem);

/**
 * The most friends one friend before-callback may carry. Tencent's friend REST APIs take at most 100
 * accounts a request (friend_add, friend_import, friend_response), and a client adds one at a time;
 * the cap is 100 times that, far from any real callback, so that a forged or runaway body cannot
 * make a reply of hundreds of thousands of items: a longer list is `PAYLOAD_INVALID` (the fallback).
 */
export const MAX_FRIEND_ITEMS = 10_000;

/** A friend list of a before-callback: each item gets its own result in the reply. */
const friendItems = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.maxLength(MAX_FRIEND_ITEMS));

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
      FriendItem: friendItems(
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
      ResponseFriendItem: friendItems(
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
