/**
 * Leniency rule 5: a field is required only if an application cannot act without it (who and what
 * the event is about, and the inputs of a before-callback's decision). The table below is the
 * contract, written by hand: loosening or tightening any schema fails here until this table, the
 * rule in fields.ts and the README's leniency section agree again.
 */
import { type CommandName, commandList } from '@im-callbacks/core';
import { requiredKeys, requiredOnly, requiredPaths, samples, without } from '@im-callbacks/test-helpers';
import * as v from 'valibot';
import { catalogue } from '../src/catalogue/index.js';

/** Every command's required top-level fields. */
const REQUIRED: { readonly [C in CommandName]: readonly string[] } = {
  'Alert.RequestOverLimit': ['Command'],
  'State.StateChange': ['Info'],
  'Profile.CallbackPortraitSet': ['From_Account', 'ProfileItem'],
  'Sns.CallbackPrevFriendAdd': ['From_Account', 'FriendItem'],
  'Sns.CallbackPrevFriendResponse': ['From_Account', 'ResponseFriendItem'],
  'Sns.CallbackFriendAdd': ['PairList'],
  'Sns.CallbackFriendDelete': ['PairList'],
  'Sns.CallbackBlackListAdd': ['PairList'],
  'Sns.CallbackBlackListDelete': ['PairList'],
  'Follow.CallbackAfterFollowAdd': ['From_Account', 'FollowList'],
  'Follow.CallbackAfterFollowDelete': ['From_Account', 'To_Account'],
  'C2C.CallbackBeforeSendMsg': ['From_Account', 'To_Account', 'MsgBody'],
  'C2C.CallbackAfterSendMsg': ['From_Account', 'To_Account', 'MsgBody'],
  'C2C.CallbackAfterMsgReport': ['Report_Account', 'Peer_Account'],
  'C2C.CallbackAfterMsgWithDraw': ['From_Account', 'To_Account', 'MsgKey'],
  'C2C.CallbackAfterC2CMsgExtension': ['From_Account', 'To_Account', 'MsgKey'],
  'C2C.CallbackAfterModifyMsg': ['From_Account', 'To_Account', 'MsgBody'],
  'Group.CallbackBeforeSendMsg': ['GroupId', 'From_Account', 'MsgBody'],
  'Group.CallbackAfterSendMsg': ['GroupId', 'From_Account', 'MsgBody'],
  'Group.CallbackSendMsgException': ['GroupId', 'From_Account', 'MsgBody'],
  'Group.CallbackBeforeCreateGroup': ['Owner_Account'],
  // Also accepted as `groupID` (rule 7).
  'Group.CallbackAfterCreateGroup': ['GroupId'],
  'Group.CallbackBeforeApplyJoinGroup': ['GroupId', 'Requestor_Account'],
  'Group.CallbackBeforeInviteJoinGroup': ['GroupId', 'DestinationMembers'],
  'Group.CallbackAfterNewMemberJoin': ['GroupId', 'NewMemberList'],
  'Group.CallbackAfterMemberExit': ['GroupId', 'ExitMemberList'],
  'Group.CallbackAfterGroupFull': ['GroupId'],
  'Group.CallbackAfterGroupDestroyed': ['GroupId'],
  'Group.CallbackAfterGroupInfoChanged': ['GroupId'],
  'Group.CallbackOnMemberStateChange': ['GroupId', 'EventType', 'MemberList'],
  'Group.CallbackAfterRecallMsg': ['GroupId', 'MsgSeqList'],
  'Group.CallbackBeforeCreateTopic': ['Operator_Account'],
  'Group.CallbackAfterCreateTopic': ['GroupId', 'TopicId'],
  'Group.CallbackAfterTopicDestroyed': ['GroupId', 'TopicIdList'],
  'Group.CallbackAfterTopicInfoChanged': ['GroupId'],
  'Group.CallbackAfterMemberFieldChanged': ['GroupId'],
  'Group.CallbackAfterGroupAttrChanged': ['GroupId'],
  'Group.CallbackAfterReadReceipt': ['GroupId', 'GroupMsgReceiptList'],
  'Group.CallbackAfterChangeGroupOwner': ['GroupId', 'NewOwner_Account'],
  'Group.CallbackOnDailyGroupQuotaAlarm': [],
  'Group.CallbackAfterGroupMsgExtension': ['GroupId', 'MsgSeq'],
  'Group.CallbackAfterModifyMsg': ['GroupId', 'MsgSeq', 'MsgBody'],
  'ContentCallback.ResultNotify': ['Scene'],
  'Bot.OnC2CMessage': ['From_Account', 'To_Account', 'MsgBody'],
  'Chatbot.OnC2CSignalMessage': [],
  'Bot.OnGroupMessage': ['GroupId', 'From_Account', 'MsgBody'],
  'OfficialAccount.CallbackBeforeCreateOfficialAccount': ['Owner_Account'],
  'OfficialAccount.CallbackAfterCreateOfficialAccount': ['Official_Account'],
  'OfficialAccount.CallbackAfterOfficialAccountInfoChanged': ['Official_Account'],
  'OfficialAccount.CallbackAfterOfficialAccountDestroyed': ['Official_Account'],
  'OfficialAccount.CallbackBeforeAddSubscriber': ['Official_Account', 'SubscribeAccountList'],
  'OfficialAccount.CallbackAfterAddSubscriber': ['Official_Account', 'SubscribeAccountList'],
  'OfficialAccount.CallbackAfterOfficialAccountFull': ['Official_Account'],
  'OfficialAccount.CallbackAfterDeleteSubscriber': ['Official_Account', 'SubscribeAccountList'],
  'OfficialAccount.CallbackBeforeSendMsg': ['Official_Account', 'MsgBody'],
  'OfficialAccount.CallbackAfterSendMsg': ['Official_Account', 'MsgBody'],
  'OfficialAccount.CallbackAfterMsgWithDraw': ['Official_Account', 'WithdrawMsgList'],
  'Push.OfflinePush': ['Events'],
  'Push.AllMemberPush': ['Events'],
  'Call.CallbackAfterStartCall': ['CallInfo', 'UserList'],
  'Call.CallbackAfterEndCall': ['CallRecord'],
  'Call.CallbackAfterMemberChanged': ['CallId', 'UserList'],
};

/** Nested required entries the table above implies (a spot check of the recursive walk). */
const NESTED: readonly [CommandName, readonly (string | number)[]][] = [
  ['State.StateChange', ['Info', 'To_Account']],
  ['State.StateChange', ['Info', 'Action']],
  ['Sns.CallbackPrevFriendAdd', ['FriendItem', 0, 'To_Account']],
  ['Sns.CallbackPrevFriendResponse', ['ResponseFriendItem', 0, 'ResponseAction']],
  ['Group.CallbackBeforeInviteJoinGroup', ['DestinationMembers', 0, 'Member_Account']],
  ['OfficialAccount.CallbackBeforeAddSubscriber', ['SubscribeAccountList', 0, 'Subscriber_Account']],
  ['C2C.CallbackBeforeSendMsg', ['MsgBody', 0, 'MsgContent', 'Text']],
  ['Group.CallbackAfterRecallMsg', ['MsgSeqList', 0, 'MsgSeq']],
  ['Call.CallbackAfterStartCall', ['CallInfo', 'CallId']],
  ['Call.CallbackAfterEndCall', ['CallRecord', 'CallId']],
  ['Call.CallbackAfterEndCall', ['CallRecord', 'Caller_Account']],
  ['Call.CallbackAfterEndCall', ['CallRecord', 'CalleeList_Account']],
  ['Call.CallbackAfterMemberChanged', ['UserList', 0, 'User_Account']],
];

const names = commandList.map((spec) => spec.command);

function requiredBody(command: CommandName): Record<string, unknown> {
  return requiredOnly(catalogue[command].schema, samples[command]) as Record<string, unknown>;
}

function accepts(command: CommandName, body: unknown): boolean {
  return v.safeParse(catalogue[command].schema, body).success;
}

describe('required fields (leniency rule 5)', () => {
  it('has one row per catalogued command', () => {
    expect(Object.keys(REQUIRED).sort()).toEqual([...names].sort());
  });

  it.each(names)('%s: the schema requires exactly the fields of the table', (command) => {
    expect(requiredKeys(catalogue[command].schema)).toEqual([...REQUIRED[command]].sort());
  });

  it.each(names)('%s: a body with only the required fields (at every depth) is accepted', (command) => {
    const body = requiredBody(command);
    expect(Object.keys(body).sort()).toEqual([...REQUIRED[command]].sort());
    const result = v.safeParse(catalogue[command].schema, body);
    if (!result.success) throw new Error(`${v.getDotPath(result.issues[0]!)}: ${result.issues[0]!.message}`);
    expect(result.success).toBe(true);
  });

  const topLevel = names.flatMap((command) => REQUIRED[command].map((field) => [command, field] as const));

  it.each(topLevel)('%s: without %s, the body is refused', (command, field) => {
    const body = requiredBody(command);
    expect(accepts(command, body)).toBe(true);
    const { [field]: _removed, ...rest } = body;
    const result = v.safeParse(catalogue[command].schema, rest);
    expect(result.success).toBe(false);
    if (!result.success) {
      const issue = result.issues[0]!;
      expect(`${v.getDotPath(issue) ?? ''} ${issue.message}`).toContain(field);
    }
  });

  it.each(names)('%s: removing any nested required entry is refused too', (command) => {
    const body = requiredBody(command);
    const nested = requiredPaths(body).filter((path) => path.length > 1);
    for (const path of nested) {
      expect([path.join('.'), accepts(command, without(body, path))]).toEqual([path.join('.'), false]);
    }
  });

  it.each(NESTED)('%s: %j is a nested required entry', (command, path) => {
    const body = requiredBody(command);
    expect(requiredPaths(body)).toContainEqual([...path]);
    expect(accepts(command, without(body, path))).toBe(false);
  });

  it('keeps the real-traffic optional fields optional', () => {
    // A live-room group message: no MsgSeq, MsgTime, Random, Operator_Account, EventTime.
    expect(Object.keys(requiredBody('Group.CallbackAfterSendMsg')).sort()).toEqual([
      'From_Account',
      'GroupId',
      'MsgBody',
    ]);
    for (const command of names) {
      for (const optional of ['EventTime', 'Type', 'CallbackCommand', 'MsgSeq', 'MsgTime', 'Random']) {
        if (
          optional === 'MsgSeq' &&
          ['Group.CallbackAfterGroupMsgExtension', 'Group.CallbackAfterModifyMsg'].includes(command)
        )
          continue;
        expect([command, REQUIRED[command].includes(optional)]).toEqual([command, false]);
      }
    }
  });

  it('takes groupID for the required GroupId of AfterCreateGroup, and refuses a body with neither spelling', () => {
    expect(accepts('Group.CallbackAfterCreateGroup', { groupID: '@TGS#1' })).toBe(true);
    expect(accepts('Group.CallbackAfterCreateGroup', { Name: 'no id' })).toBe(false);
  });
});
