/**
 * The whole catalogue over HTTP, against every conformance target (each adapter and framework
 * major): every command's sample, every documented and real-traffic variant, and a body with only
 * the required fields (leniency rule 5) reach `on(thatCommand)` with a validated payload and are
 * answered; every decision form is answered on the wire; a malformed payload, in every domain,
 * never reaches the handler and is handed to onError with its raw payload. One app per target
 * serves the whole file (every command registered; what a test decides is set per test).
 */

import {
  allow,
  type CommandName,
  commandList,
  discard,
  friendResults,
  type ImCallbackError,
  refuseOnly,
  reject,
  silentLogger,
} from '@im-callbacks/core';
import { catalogue } from '@im-callbacks/core/catalogue';
import { requiredOnly } from '@im-callbacks/test-helpers';
import { buildRequest, samples, sampleVariants } from '@im-callbacks/testing';
import * as v from 'valibot';
import type { RunningTarget } from './target';
import { targets } from './targets';

const SDK_APP_ID = 1400187352;
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

interface Seen {
  command: string;
  payload: unknown;
  kind: string;
}

/**
 * The target's app for this file: every command's handler records its event and returns what
 * `decide` (set by a test) returns; onAny records unknown commands; onError collects errors.
 */
function appOf(target: (typeof targets)[number]) {
  const state = {
    app: undefined as RunningTarget | undefined,
    seen: [] as Seen[],
    unknown: [] as string[],
    errors: [] as ImCallbackError[],
    decide: undefined as ((event: { payload: Record<string, unknown> }) => unknown) | undefined,
  };
  beforeAll(async () => {
    const app = await target.start({ sdkAppId: SDK_APP_ID, logger: silentLogger });
    for (const { command } of commandList) {
      app.im.on(command, (event: { command: string; payload: Record<string, unknown>; kind: string }) => {
        state.seen.push({ command: event.command, payload: event.payload, kind: event.kind });
        return state.decide?.(event);
      });
    }
    app.im.onAny((event: { kind: string; command: string }) => {
      if (event.kind === 'unknown') state.unknown.push(event.command);
    });
    app.im.onError((error: ImCallbackError) => state.errors.push(error));
    state.app = app;
  });
  afterAll(async () => {
    await state.app?.close();
  });
  beforeEach(() => {
    state.seen = [];
    state.unknown = [];
    state.errors = [];
    state.decide = undefined;
  });
  return state;
}

/** POSTs a callback (bytes, so no Content-Type is added) on a kept-alive connection; the answer parsed. */
async function post(app: RunningTarget | undefined, command: string, payload: unknown) {
  const built = buildRequest(command, payload, { sdkAppId: SDK_APP_ID });
  const response = await fetch(`${(app as RunningTarget).url}?${built.query}`, {
    method: 'POST',
    body: Buffer.from(built.body),
  });
  return { status: response.status, body: JSON.parse(await response.text()) as unknown };
}

describe.each(targets)('$name', (target) => {
  const state = appOf(target);
  const names = commandList.map((spec) => spec.command);

  describe('every command', () => {
    it.each(names)('%s: the sample reaches its handler, validated', async (command) => {
      const response = await post(state.app, command, samples[command]);
      const { seen, unknown, errors } = state;
      expect(errors).toEqual([]);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject(OK);
      expect(unknown).toEqual([]);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.command).toBe(command);
      expect(seen[0]?.kind).toBe(catalogue[command].form === 'ack' ? 'after' : 'before');
      expect(seen[0]?.payload).toEqual(v.parse(catalogue[command].schema, samples[command]));
      const time = (seen[0]?.payload as { EventTime?: unknown } | undefined)?.EventTime;
      if (time !== undefined) expect(typeof time).toBe('number');
    });

    it.each(names)('%s: a body with only the required fields reaches its typed handler', async (command) => {
      const required = requiredOnly(catalogue[command].schema, samples[command]) as Record<string, unknown>;
      // A command that requires nothing: `{}` would be the console's URL check (no event), so the body
      // keeps the CallbackCommand every real body of these commands carries.
      const body = Object.keys(required).length > 0 ? required : { CallbackCommand: command };
      const response = await post(state.app, command, body);
      const { seen, unknown, errors } = state;
      expect(errors).toEqual([]);
      expect(response.status).toBe(200);
      expect(unknown).toEqual([]);
      expect(seen.map((event) => event.command)).toEqual([command]);
      expect(seen[0]?.payload).toEqual(v.parse(catalogue[command].schema, body));
    });

    it.each(sampleVariants.map((variant) => [variant.command, variant.name, variant] as const))(
      '%s (%s): the variant reaches its handler',
      async (command, _variantName, variant) => {
        const response = await post(state.app, command, variant.payload);
        const { seen, unknown, errors } = state;
        expect(errors).toEqual([]);
        expect(response.status).toBe(200);
        expect(unknown).toEqual([]);
        expect(seen.map((event) => event.command)).toEqual([command]);
      },
    );
  });

  describe('decisions over HTTP', () => {
    const cases: [CommandName, () => unknown, unknown][] = [
      [
        'C2C.CallbackBeforeSendMsg',
        () => allow({ MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: '*' } }], CloudCustomData: 'c' }),
        { ...OK, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: '*' } }], CloudCustomData: 'c' },
      ],
      [
        'C2C.CallbackBeforeSendMsg',
        () => reject(120001, 'no'),
        { ActionStatus: 'OK', ErrorInfo: 'no', ErrorCode: 120001 },
      ],
      ['Group.CallbackBeforeSendMsg', () => discard(), { ...OK, ErrorCode: 2 }],
      ['OfficialAccount.CallbackBeforeSendMsg', () => reject(), { ...OK, ErrorCode: 1 }],
      [
        'Group.CallbackBeforeCreateGroup',
        () => reject(10100, 'quota'),
        { ...OK, ErrorInfo: 'quota', ErrorCode: 10100 },
      ],
      ['Group.CallbackBeforeApplyJoinGroup', () => allow(), OK],
      ['Group.CallbackBeforeCreateTopic', () => reject(), { ...OK, ErrorCode: 1 }],
      [
        'Group.CallbackBeforeInviteJoinGroup',
        () => refuseOnly(['tommy']),
        { ...OK, RefusedMembers_Account: ['tommy'] },
      ],
      [
        'OfficialAccount.CallbackBeforeAddSubscriber',
        () => refuseOnly(['user2']),
        { ...OK, RefusedSubscribers_Account: ['user2'] },
      ],
      ['OfficialAccount.CallbackBeforeCreateOfficialAccount', () => reject(), { ...OK, ErrorCode: 1 }],
      [
        'Sns.CallbackPrevFriendAdd',
        () => friendResults([{ To_Account: 'id2', ResultCode: 38000, ResultInfo: 'no' }]),
        {
          ...OK,
          ResultItem: [
            { To_Account: 'id1', ResultCode: 0, ResultInfo: '' },
            { To_Account: 'id2', ResultCode: 38000, ResultInfo: 'no' },
          ],
        },
      ],
      [
        'Sns.CallbackPrevFriendResponse',
        () => reject(38500),
        {
          ...OK,
          ResultItem: [
            { To_Account: 'id1', ResultCode: 38500, ResultInfo: '' },
            { To_Account: 'id2', ResultCode: 38500, ResultInfo: '' },
          ],
        },
      ],
    ];

    it.each(cases)('%s answers the decision on the wire', async (command, decide, expected) => {
      state.decide = decide;
      const response = await post(state.app, command, samples[command]);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(expected);
    });

    it('a group code on a C2C send is refused, reported, and the fallback (allow) is sent', async () => {
      state.decide = () => reject(10100);
      const response = await post(state.app, 'C2C.CallbackBeforeSendMsg', samples['C2C.CallbackBeforeSendMsg']);
      const { errors } = state;
      expect(response.status).toBe(200);
      expect(response.body).toEqual(OK);
      expect(errors.map((error) => error.code)).toEqual(['DECISION_INVALID']);
      expect(errors[0]?.message).toMatch(/120001-130000, not 10100/);
    });
  });

  describe('real-traffic bodies over HTTP', () => {
    function variant(command: CommandName, name: string) {
      const found = sampleVariants.find((item) => item.command === command && item.name === name);
      if (found === undefined) throw new Error(`no variant ${command} (${name})`);
      return found.payload;
    }

    async function deliver(command: CommandName, payload: Readonly<Record<string, unknown>>) {
      // A fresh start for each delivery, as a new app would have.
      state.seen = [];
      state.errors = [];
      const response = await post(state.app, command, payload);
      const { seen, errors } = state;
      expect(errors).toEqual([]);
      expect(response.status).toBe(200);
      expect(seen.map((event) => event.command)).toEqual([command]);
      return seen[0]?.payload as Record<string, unknown>;
    }

    it('a live-room group message without MsgSeq, MsgTime, Random, Operator_Account', async () => {
      const payload = await deliver(
        'Group.CallbackAfterSendMsg',
        variant(
          'Group.CallbackAfterSendMsg',
          'real traffic: live-room message without MsgSeq, MsgTime, Random, Operator_Account',
        ),
      );
      for (const absent of ['MsgSeq', 'MsgTime', 'Random', 'Operator_Account', 'EventTime']) {
        expect([absent, payload[absent]]).toEqual([absent, undefined]);
      }
      expect(payload.Type).toBe('AVChatRoom');
      expect(payload.MsgBody).toEqual([{ MsgType: 'TIMTextElem', MsgContent: { Text: '666' } }]);
    });

    it('a before-send live-room message without Random, Operator_Account, EventTime is decided', async () => {
      const seen: unknown[] = [];
      state.decide = (event) => {
        seen.push(event.payload.Random);
        return discard();
      };
      const body = variant(
        'Group.CallbackBeforeSendMsg',
        'real traffic: live-room message without Random, Operator_Account, EventTime',
      );
      const response = await post(state.app, 'Group.CallbackBeforeSendMsg', body);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...OK, ErrorCode: 2 });
      expect(seen).toEqual([undefined]);
    });

    it.each([['State.StateChange'], ['Group.CallbackAfterNewMemberJoin']] as const)(
      '%s without EventTime',
      async (command) => {
        const payload = await deliver(command, variant(command, 'real traffic: no EventTime'));
        expect(payload.EventTime).toBeUndefined();
      },
    );

    it('Random = 4294967295 stays exact', async () => {
      const payload = await deliver(
        'Group.CallbackBeforeSendMsg',
        variant('Group.CallbackBeforeSendMsg', 'real traffic: Random 4294967295 (2^32 - 1)'),
      );
      expect(payload.Random).toBe(4294967295);
    });

    it.each([['Group.CallbackAfterSendMsg'], ['C2C.CallbackBeforeSendMsg']] as const)(
      '%s: From_Account @TLS#NOT_FOUND (REST send without sender)',
      async (command) => {
        const payload = await deliver(
          command,
          variant(command, 'real traffic: REST send without sender (From_Account @TLS#NOT_FOUND)'),
        );
        expect(payload.From_Account).toBe('@TLS#NOT_FOUND');
      },
    );

    it.each([
      ['Group.CallbackBeforeSendMsg', 'real traffic: MsgPriority', 'MsgPriority', 'Normal'],
      ['Group.CallbackAfterSendMsg', 'real traffic: MsgPriority', 'MsgPriority', 'High'],
      ['Group.CallbackAfterCreateGroup', 'real traffic: InviteOption', 'InviteOption', 'NeedPermission'],
      ['C2C.CallbackBeforeSendMsg', 'real traffic: old body with FriendShip', 'FriendShip', 1],
    ] as const)('%s (%s): %s is carried through on the payload', async (command, name, field, value) => {
      const payload = await deliver(command, variant(command, name));
      expect(payload[field]).toBe(value);
    });

    it('keys sorted alphabetically, nested keys too', async () => {
      const body = variant('Group.CallbackAfterSendMsg', 'real traffic: keys sorted alphabetically, nested keys too');
      expect(Object.keys(body)).toEqual([...Object.keys(body)].sort());
      const payload = await deliver('Group.CallbackAfterSendMsg', body);
      expect(payload.MsgBody).toEqual([{ MsgType: 'TIMTextElem', MsgContent: { Text: 'red packet' } }]);
      expect(payload.Random).toBe(3998651049);
      expect(payload.MsgPriority).toBe('Normal');
    });

    it('the additions: custom status, MsgId, recall MsgId items, group type Live, the call callbacks', async () => {
      const status = await deliver(
        'State.StateChange',
        variant('State.StateChange', 'custom status set (CustomStatusChange / SetCustomStatus)'),
      );
      expect(status.Info).toMatchObject({ Action: 'CustomStatusChange', CustomStatus: 'in a meeting' });
      const send = await deliver(
        'C2C.CallbackBeforeSendMsg',
        variant('C2C.CallbackBeforeSendMsg', 'MsgId (client-side message id)'),
      );
      expect(send.MsgId).toBe('144115233406643804-1727580296-4026038328');
      const recall = await deliver(
        'Group.CallbackAfterRecallMsg',
        variant('Group.CallbackAfterRecallMsg', 'MsgSeqList items with MsgId'),
      );
      expect((recall.MsgSeqList as { MsgId?: string }[])[0]?.MsgId).toBe('144115233406643804-1727580296-4026038328');
      const live = await deliver(
        'Group.CallbackAfterNewMemberJoin',
        variant('Group.CallbackAfterNewMemberJoin', 'group type Live'),
      );
      expect(live.Type).toBe('Live');
      const ended = await deliver('Call.CallbackAfterEndCall', samples['Call.CallbackAfterEndCall']);
      expect(ended.CallRecord).toMatchObject({
        CallId: '055662e1-bc8a-469c-a334-1126c8c17d58',
        CallResult: 'NotAnswer',
      });
    });
  });

  describe('malformed payloads, one per domain', () => {
    const cases: [string, CommandName, Record<string, unknown>][] = [
      ['operations', 'Alert.RequestOverLimit', { Limit: 'a lot' }],
      ['state', 'State.StateChange', { Info: { Action: 'Login', To_Account: 42 } }],
      ['relation', 'Sns.CallbackPrevFriendAdd', { FriendItem: 'id1' }],
      ['relation', 'Follow.CallbackAfterFollowDelete', { To_Account: 'user1' }],
      ['c2c', 'C2C.CallbackBeforeSendMsg', { MsgBody: { MsgType: 'TIMTextElem' } }],
      ['group', 'Group.CallbackBeforeInviteJoinGroup', { DestinationMembers: ['jared'] }],
      ['group', 'Group.CallbackAfterNewMemberJoin', { GroupId: 12345 }],
      ['moderation', 'ContentCallback.ResultNotify', { Scene: 1 }],
      ['moderation', 'Bot.OnGroupMessage', { GroupId: null }],
      ['official-account', 'OfficialAccount.CallbackBeforeAddSubscriber', { SubscribeAccountList: 'user1' }],
      ['push', 'Push.OfflinePush', { Events: { CallbackCommand: 'Push.OfflinePush' } }],
      ['call', 'Call.CallbackAfterMemberChanged', { CallId: 42 }],
      ['call', 'Call.CallbackAfterEndCall', { CallRecord: { CallId: 'c1' } }],
    ];

    // The answer's status is the pipeline's business (a schema failure is being moved from 400 to
    // 200 + PAYLOAD_INVALID reported to onError); the catalogue's part is: refused, reported once.
    it.each(cases)(
      '%s: %s with a wrong type (or a required field missing) never reaches the handler',
      async (_domain, command, change) => {
        const payload = { ...samples[command], ...change };
        const response = await post(state.app, command, payload);
        const { seen, errors } = state;
        expect([200, 400]).toContain(response.status);
        expect(seen).toEqual([]);
        expect(errors).toHaveLength(1);
        expect(errors[0]?.code).toBe('PAYLOAD_INVALID');
        expect(errors[0]?.command).toBe(command);
        expect(errors[0]?.payload).toEqual(payload);
      },
    );
  });
});
