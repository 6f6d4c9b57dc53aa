/**
 * Official account ("Official Channel") callbacks (protocol reference §1.7). Before-callbacks take
 * code 1 only: no app-defined refusal range is documented for official accounts.
 */
import * as v from 'valibot';
import { defineCommand } from './define.js';
import { advisory, eventTime, int, str } from './fields.js';
import { msgBody } from './msg-body.js';

const opt = v.optional;

/** `SubscribeAccountList` items. */
const subscriberList = v.array(v.looseObject({ Subscriber_Account: str }));

const common = {
  CallbackCommand: opt(str),
  /** The official account's id (`@TOA#_...`). */
  Official_Account: str,
  /** Milliseconds. */
  EventTime: opt(eventTime),
};

const subscriberFields = {
  ...common,
  Operator_Account: opt(str),
  SubscribeAccountList: subscriberList,
};

const messageFields = {
  ...common,
  OnlineOnlyFlag: advisory(int),
  MsgBody: msgBody,
  CloudCustomData: opt(str),
};

export const officialAccountCommands = [
  defineCommand({
    command: 'OfficialAccount.CallbackBeforeCreateOfficialAccount',
    domain: 'official-account',
    form: 'veto',
    summary: 'An official account is about to be created: allow or reject.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      Operator_Account: opt(str),
      Owner_Account: str,
      Name: opt(str),
      /** Milliseconds. */
      EventTime: opt(eventTime),
    }),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterCreateOfficialAccount',
    domain: 'official-account',
    form: 'ack',
    summary: 'An official account was created.',
    schema: v.looseObject({ ...common, Operator_Account: opt(str), Owner_Account: opt(str), Name: opt(str) }),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterOfficialAccountInfoChanged',
    domain: 'official-account',
    form: 'ack',
    summary: "An official account's profile changed (only the changed fields are sent).",
    schema: v.looseObject({
      ...common,
      Operator_Account: opt(str),
      Name: opt(str),
      Introduction: opt(str),
      FaceUrl: opt(str),
      Organization: opt(str),
    }),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterOfficialAccountDestroyed',
    domain: 'official-account',
    form: 'ack',
    summary: 'An official account was destroyed.',
    schema: v.looseObject({ ...common, Owner_Account: opt(str), Name: opt(str) }),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackBeforeAddSubscriber',
    domain: 'official-account',
    form: 'subscribe',
    summary: 'Users are about to subscribe to an official account: allow, reject, or refuse some.',
    schema: v.looseObject(subscriberFields),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterAddSubscriber',
    domain: 'official-account',
    form: 'ack',
    summary: 'Users subscribed to an official account.',
    schema: v.looseObject(subscriberFields),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterOfficialAccountFull',
    domain: 'official-account',
    form: 'ack',
    summary: 'An official account reached its subscriber limit.',
    schema: v.looseObject(common),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterDeleteSubscriber',
    domain: 'official-account',
    form: 'ack',
    summary: 'Users unsubscribed from (or were removed from) an official account.',
    schema: v.looseObject(subscriberFields),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackBeforeSendMsg',
    domain: 'official-account',
    form: 'send',
    summary: 'An official account message is about to be sent: allow, modify, reject or silently discard it.',
    schema: v.looseObject(messageFields),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterSendMsg',
    domain: 'official-account',
    form: 'ack',
    summary: 'An official account message was sent.',
    schema: v.looseObject({
      ...messageFields,
      MsgKey: opt(str),
      /** Seconds. */
      MsgTime: opt(int),
    }),
  }),
  defineCommand({
    command: 'OfficialAccount.CallbackAfterMsgWithDraw',
    domain: 'official-account',
    form: 'ack',
    summary: 'Official account messages were recalled.',
    schema: v.looseObject({
      ...common,
      WithdrawMsgList: v.array(v.looseObject({ MsgKey: str })),
    }),
  }),
] as const;
