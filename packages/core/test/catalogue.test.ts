import {
  type CommandName,
  commandList,
  createReceiver,
  type ImCallbackError,
  isKnownCommand,
  type Payload,
  silentLogger,
} from '@im-callbacks/core';
import { sample, samples, sampleVariants } from '@im-callbacks/test-helpers';
import fc from 'fast-check';
import * as v from 'valibot';
import { catalogue, commandSpec } from '../src/catalogue/index.js';
import { request as buildRequestOf } from './fixtures.js';

function parse<C extends CommandName>(command: C, body: unknown): Payload<C> {
  const result = v.safeParse(catalogue[command].schema, body);
  if (!result.success) throw new Error(`${command}: ${v.getDotPath(result.issues[0]!)} ${result.issues[0]!.message}`);
  return result.output as Payload<C>;
}

const names = commandList.map((spec) => spec.command);

describe('the catalogue', () => {
  it('holds the 59 commands of §1.1–§1.8 and the 3 call callbacks, once each', () => {
    // 57 IM + 2 Push, Chatbot.OnC2CSignalMessage (no documented body) included; + 3 Call.*.
    expect(names).toHaveLength(62);
    expect(new Set(names).size).toBe(names.length);
    expect(isKnownCommand('Chatbot.OnC2CSignalMessage')).toBe(true);
    expect(isKnownCommand('Group.CallbackAfterMemberKicked')).toBe(false);
  });

  it('counts commands per domain as the reference does', () => {
    const byDomain: Record<string, number> = {};
    for (const spec of commandList) byDomain[spec.domain] = (byDomain[spec.domain] ?? 0) + 1;
    expect(byDomain).toEqual({
      operations: 1,
      state: 1,
      relation: 9,
      c2c: 6,
      group: 25,
      moderation: 4,
      'official-account': 11,
      push: 2,
      call: 3,
    });
  });

  it('gives each command a summary, a form, and reject codes only where documented', () => {
    for (const spec of commandList) {
      expect(spec.summary).toMatch(/\.$/);
      expect(commandSpec(spec.command)).toBe(spec);
      if (spec.form === 'ack') expect(spec.rejectCodes).toBeUndefined();
      if (spec.form === 'friend') expect(spec.friendItems).toMatch(/FriendItem$/);
      if (spec.command.startsWith('OfficialAccount.')) expect(spec.rejectCodes).toBeUndefined();
      if (spec.command.startsWith('Group.') && spec.form !== 'ack') expect(spec.rejectCodes).toEqual([10100, 10200]);
    }
  });

  it('lists the before-callbacks of §4 with their forms', () => {
    const before = Object.fromEntries(commandList.filter((s) => s.form !== 'ack').map((s) => [s.command, s.form]));
    expect(before).toEqual({
      'Sns.CallbackPrevFriendAdd': 'friend',
      'Sns.CallbackPrevFriendResponse': 'friend',
      'C2C.CallbackBeforeSendMsg': 'send',
      'Group.CallbackBeforeSendMsg': 'send',
      'Group.CallbackBeforeCreateGroup': 'veto',
      'Group.CallbackBeforeApplyJoinGroup': 'veto',
      'Group.CallbackBeforeInviteJoinGroup': 'invite',
      'Group.CallbackBeforeCreateTopic': 'veto',
      'OfficialAccount.CallbackBeforeCreateOfficialAccount': 'veto',
      'OfficialAccount.CallbackBeforeAddSubscriber': 'subscribe',
      'OfficialAccount.CallbackBeforeSendMsg': 'send',
    });
  });
});

describe('samples', () => {
  it.each(names)('%s: the sample validates', (command) => {
    expect(() => parse(command, samples[command])).not.toThrow();
  });

  it.each(sampleVariants.map((variant) => [variant.command, variant.name, variant] as const))(
    '%s (%s): the variant validates',
    (command, _name, variant) => {
      expect(() => parse(command, variant.payload)).not.toThrow();
    },
  );

  it('spells EventTime as a string where the docs do, and has both spellings in total', () => {
    expect(samples['Group.CallbackBeforeCreateGroup'].EventTime).toBe('1670574414123');
    expect(samples['State.StateChange'].EventTime).toBe(1629883332497);
    const spelled = sampleVariants.filter((variant) => variant.name.startsWith('EventTime as'));
    expect(spelled.length).toBeGreaterThan(40);
  });
});

describe('normalisation', () => {
  it('delivers EventTime as a number whatever its spelling', () => {
    expect(parse('Group.CallbackAfterGroupFull', samples['Group.CallbackAfterGroupFull']).EventTime).toBe(
      1670574414123,
    );
    expect(
      parse('Follow.CallbackAfterFollowAdd', { ...samples['Follow.CallbackAfterFollowAdd'], EventTime: '5' }).EventTime,
    ).toBe(5);
  });

  it('keeps Push EventTime in seconds, as sent', () => {
    const payload = parse('Push.OfflinePush', samples['Push.OfflinePush']);
    expect(payload.Events[0]?.EventTime).toBe(1683266423);
    expect(payload.Events[1]?.GroupID).toBe('@TGS#2J4SZEAEL');
  });

  it('keeps unsigned 32-bit values above 2^31 exact, and refuses them above 2^32-1', () => {
    const body = { ...samples['Group.CallbackBeforeSendMsg'], Random: '3998651049' };
    expect(parse('Group.CallbackBeforeSendMsg', body).Random).toBe(3998651049);
    expect(() => parse('Group.CallbackBeforeSendMsg', { ...body, Random: 4294967296 })).toThrow(/Random/);
    const recall = parse('Group.CallbackAfterRecallMsg', samples['Group.CallbackAfterRecallMsg']);
    expect(recall.MsgSeqList[2]?.MsgSeq).toBe(4294967295);
  });

  it('delivers ProfileItem values as sent: numbers stay numbers, digit strings stay strings', () => {
    const payload = parse('Profile.CallbackPortraitSet', {
      ...samples['Profile.CallbackPortraitSet'],
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Nick', Value: '007' },
        { Tag: 'Tag_Profile_IM_Level', Value: 3 },
      ],
    });
    expect(payload.ProfileItem.map((item) => item.Value)).toEqual(['007', 3]);
  });

  it('keeps unknown fields and unknown MsgType elements', () => {
    const payload = parse('C2C.CallbackBeforeSendMsg', {
      ...samples['C2C.CallbackBeforeSendMsg'],
      NewField: { a: 1 },
      MsgBody: [{ MsgType: 'TIMStreamElem', MsgContent: { x: 1 } }],
    });
    // Kept at runtime; not typed (only documented fields are), hence the cast.
    expect((payload as Record<string, unknown>).NewField).toEqual({ a: 1 });
    expect(payload.MsgBody).toEqual([{ MsgType: 'TIMStreamElem', MsgContent: { x: 1 } }]);
  });

  it('takes CreatedGroupNum as it came and an odd CreateGroupNum as undefined (advisory)', () => {
    const [created, odd] = sampleVariants.filter(
      (variant) => variant.command === 'Group.CallbackBeforeCreateGroup' && variant.name.includes('CreateGroupNum'),
    );
    const first = parse('Group.CallbackBeforeCreateGroup', created!.payload);
    expect(first.CreateGroupNum).toBeUndefined();
    expect((first as Record<string, unknown>).CreatedGroupNum).toEqual({ Public: 5 });
    const second = parse('Group.CallbackBeforeCreateGroup', odd!.payload);
    expect(second.CreateGroupNum).toBeUndefined();
    expect(second.Owner_Account).toBe('leckie');
    expect(parse('Group.CallbackBeforeCreateGroup', samples['Group.CallbackBeforeCreateGroup']).CreateGroupNum).toBe(5);
    expect(
      parse('Group.CallbackBeforeCreateGroup', { ...samples['Group.CallbackBeforeCreateGroup'], CreateGroupNum: '6' })
        .CreateGroupNum,
    ).toBe(6);
  });

  it('normalises GroupAttr Key/Value to the documented key/value', () => {
    const variant = sampleVariants.find((item) => item.name === 'GroupAttr with Key/Value capitalised')!;
    const payload = parse('Group.CallbackAfterGroupAttrChanged', variant.payload);
    expect(payload.GroupAttr).toEqual([{ key: 'attr1', value: 'value1' }]);
    expect(() =>
      parse('Group.CallbackAfterGroupAttrChanged', { ...variant.payload, GroupAttr: [{ value: 'no key' }] }),
    ).toThrow(/GroupAttr/);
  });

  it('delivers groupID as GroupId in AfterCreateGroup, and needs one of them', () => {
    const variant = sampleVariants.find((item) => item.name === 'groupID spelling of the field table')!;
    const payload = parse('Group.CallbackAfterCreateGroup', variant.payload);
    expect(payload.GroupId).toBe('@TGS#2J4SZEAEL');
    expect('groupID' in payload).toBe(false);
    const { groupID: _, ...without } = variant.payload;
    expect(() => parse('Group.CallbackAfterCreateGroup', without)).toThrow(/GroupId/);
  });

  it('reads the custom-status change of State.StateChange', () => {
    const variant = sampleVariants.find((item) => item.name.startsWith('custom status set'))!;
    const payload = parse('State.StateChange', variant.payload);
    expect(payload.Info).toEqual({
      Action: 'CustomStatusChange',
      To_Account: 'testuser316',
      Reason: 'SetCustomStatus',
      CustomStatus: 'in a meeting',
    });
    const top = parse('State.StateChange', { ...variant.payload, CustomStatus: 'away' });
    expect(top.CustomStatus).toBe('away');
  });

  it('types MsgId on before-send, after-send and recall items', () => {
    const find = (command: CommandName, name: string) =>
      sampleVariants.find((item) => item.command === command && item.name === name)!.payload;
    const id = '144115233406643804-1727580296-4026038328';
    expect(
      parse('C2C.CallbackBeforeSendMsg', find('C2C.CallbackBeforeSendMsg', 'MsgId (client-side message id)')).MsgId,
    ).toBe(id);
    expect(
      parse('Group.CallbackBeforeSendMsg', find('Group.CallbackBeforeSendMsg', 'MsgId (client-side message id)')).MsgId,
    ).toBe(id);
    expect(parse('Group.CallbackAfterSendMsg', { ...samples['Group.CallbackAfterSendMsg'], MsgId: id }).MsgId).toBe(id);
    const recall = parse(
      'Group.CallbackAfterRecallMsg',
      find('Group.CallbackAfterRecallMsg', 'MsgSeqList items with MsgId'),
    );
    expect(recall.MsgSeqList.map((item) => item.MsgId)).toEqual([id, '144115233406643804-1727580297-4026038329']);
  });

  it('types the undocumented MsgPriority, InviteOption and FriendShip, and group type Live', () => {
    const priority = parse('Group.CallbackSendMsgException', {
      ...samples['Group.CallbackSendMsgException'],
      MsgPriority: 'Lowest',
    });
    expect(priority.MsgPriority).toBe('Lowest');
    const created = parse('Group.CallbackAfterCreateGroup', {
      ...samples['Group.CallbackAfterCreateGroup'],
      InviteOption: 'DisableInvite',
    });
    expect(created.InviteOption).toBe('DisableInvite');
    const old = parse('C2C.CallbackBeforeSendMsg', { ...samples['C2C.CallbackBeforeSendMsg'], FriendShip: '1' });
    expect(old.FriendShip).toBe(1);
    expect(() =>
      parse('C2C.CallbackBeforeSendMsg', { ...samples['C2C.CallbackBeforeSendMsg'], FriendShip: {} }),
    ).toThrow(/FriendShip/);
    const live = parse('Group.CallbackAfterGroupFull', { ...samples['Group.CallbackAfterGroupFull'], Type: 'Live' });
    expect((live as Record<string, unknown>).Type).toBe('Live');
    expect(parse('Group.CallbackBeforeSendMsg', { ...samples['Group.CallbackBeforeSendMsg'], Type: 'Live' }).Type).toBe(
      'Live',
    );
  });

  it('reads the call callbacks: CallInfo, CallRecord (times in seconds), member changes', () => {
    const start = parse('Call.CallbackAfterStartCall', samples['Call.CallbackAfterStartCall']);
    expect(start.CallInfo.CallId).toBe('055662e1-bc8a-469c-a334-1126c8c17d58');
    expect(start.UserList.map((user) => user.User_Account)).toEqual(['user1', 'user2']);
    const end = parse('Call.CallbackAfterEndCall', samples['Call.CallbackAfterEndCall']);
    expect(end.CallRecord.EndTime! - end.CallRecord.StartTime!).toBe(150);
    expect(end.EventTime).toBe(1703589922780);
    const changed = parse('Call.CallbackAfterMemberChanged', samples['Call.CallbackAfterMemberChanged']);
    expect(changed.ChangedUserList?.[0]).toEqual({ User_Account: 'user2', ActionType: 'Accept' });
    const numericRoom = sampleVariants.find((item) => item.name.startsWith('MediaType spelling'))!;
    expect(parse('Call.CallbackAfterStartCall', numericRoom.payload).CallInfo.RoomId).toBe(1434);
    expect(() =>
      parse('Call.CallbackAfterStartCall', {
        ...samples['Call.CallbackAfterStartCall'],
        // One English example sends this tinyid as a JSON number above 2^53: not readable exactly.
        UserList: [JSON.parse('{"User_Account":144115212830834855,"Status":"Calling"}')],
      }),
    ).toThrow(/UserList/);
  });

  it('accepts enumerated strings outside the documented values', () => {
    const payload = parse('State.StateChange', {
      ...samples['State.StateChange'],
      Info: { Action: 'SetCustomStatus', To_Account: 'u' },
    });
    expect(payload.Info.Action).toBe('SetCustomStatus');
  });

  it('reads ContentCallback bodies without CallbackCommand, SdkAppId a number', () => {
    const payload = parse('ContentCallback.ResultNotify', samples['ContentCallback.ResultNotify']);
    expect(payload.CallbackCommand).toBeUndefined();
    expect(payload.SdkAppId).toBe(1400187352);
  });

  it.each([
    ['Alert.RequestOverLimit', 'Request', true],
    ['State.StateChange', 'Info', 'Login'],
    ['Sns.CallbackPrevFriendAdd', 'FriendItem', { To_Account: 'x' }],
    ['C2C.CallbackBeforeSendMsg', 'MsgBody', 'hello'],
    ['Group.CallbackBeforeInviteJoinGroup', 'DestinationMembers', ['jared']],
    ['ContentCallback.ResultNotify', 'Scene', 1],
    ['OfficialAccount.CallbackBeforeAddSubscriber', 'SubscribeAccountList', 'user1'],
    ['Push.OfflinePush', 'Events', { CallbackCommand: 'Push.OfflinePush' }],
  ] as const)('%s: a wrong type in %s is refused', (command, field, value) => {
    expect(() => parse(command, { ...samples[command], [field]: value })).toThrow(new RegExp(field));
  });
});

describe('every command through the pipeline, fuzzed', () => {
  const APP = 1400000000;
  const receiver = createReceiver({ sdkAppId: APP, logger: silentLogger });
  const errors: ImCallbackError[] = [];
  receiver.onError((error) => {
    errors.push(error);
  });

  test('its sample with one field replaced by anything is answered 200 (PAYLOAD_INVALID reported when it fails its schema), or 400 for a forbidden key', async () => {
    const commands = commandList.map((spec) => spec.command);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...commands), fc.nat(), fc.jsonValue(), async (command, index, value) => {
        const payload = sample(command) as Record<string, unknown>;
        const keys = Object.keys(payload).filter((key) => key !== 'CallbackCommand');
        if (keys.length > 0) payload[keys[index % keys.length] as string] = value;
        const built = buildRequestOf(command, payload, { sdkAppId: APP });
        errors.length = 0;
        const response = await receiver.handle({ query: built.query, body: built.body });
        expect([200, 400]).toContain(response.status);
        if (response.status === 400) expect(errors.map((e) => e.code)).toEqual(['BODY_FORBIDDEN_KEY']);
        else
          expect(errors.map((e) => [e.code, e.status])).toEqual(errors.length === 0 ? [] : [['PAYLOAD_INVALID', 200]]);
        if (errors.length > 0) expect(errors[0]?.payload).toEqual(JSON.parse(built.body));
      }),
      { numRuns: 500 },
    );
  });
});
