/**
 * The whole catalogue over HTTP, through the Express adapter (Express 4 and 5): every command's
 * sample (and every documented variant) reaches `on(thatCommand)` with a validated payload and is
 * answered; every domain refuses a malformed payload with 400 and hands the raw payload to onError.
 */
import {
  allow,
  type CommandName,
  catalogue,
  commandList,
  discard,
  friendResults,
  type ImCallbackError,
  imCallbacks,
  refuseOnly,
  reject,
  silentLogger,
} from '@im-callbacks/express';
import { buildRequest, samples, sampleVariants } from '@im-callbacks/testing';
import express4 from 'express4';
import express5 from 'express5';
import request from 'supertest';
import * as v from 'valibot';

const SDK_APP_ID = 1400187352;
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

interface Seen {
  command: string;
  payload: unknown;
  kind: string;
}

function appWith(express: typeof express5) {
  const seen: Seen[] = [];
  const unknown: string[] = [];
  const errors: ImCallbackError[] = [];
  const im = imCallbacks(SDK_APP_ID, { logger: silentLogger });
  for (const { command } of commandList) {
    im.on(command, (event) => {
      seen.push({ command: event.command, payload: event.payload, kind: event.kind });
      return undefined;
    });
  }
  im.onAny((event) => {
    if (event.kind === 'unknown') unknown.push(event.command);
  });
  im.onError((error) => errors.push(error));
  const app = express();
  app.use(im);
  return { app, im, seen, unknown, errors };
}

function post(app: Parameters<typeof request>[0], command: string, payload: unknown) {
  const built = buildRequest(command, payload, { sdkAppId: SDK_APP_ID });
  return request(app).post(`/im/callback?${built.query}`).send(Buffer.from(built.body));
}

describe.each([
  ['express 4', express4 as unknown as typeof express5],
  ['express 5', express5],
])('%s', (_name, express) => {
  const names = commandList.map((spec) => spec.command);

  it.each(names)('%s: the sample reaches its handler, validated', async (command) => {
    const { app, seen, unknown, errors } = appWith(express);
    const response = await post(app, command, samples[command]);
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

  it.each(sampleVariants.map((variant) => [variant.command, variant.name, variant] as const))(
    '%s (%s): the variant reaches its handler',
    async (command, _variantName, variant) => {
      const { app, seen, unknown, errors } = appWith(express);
      const response = await post(app, command, variant.payload);
      expect(errors).toEqual([]);
      expect(response.status).toBe(200);
      expect(unknown).toEqual([]);
      expect(seen.map((event) => event.command)).toEqual([command]);
    },
  );
});

describe('decisions over HTTP (express 5)', () => {
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
    ['Group.CallbackBeforeCreateGroup', () => reject(10100, 'quota'), { ...OK, ErrorInfo: 'quota', ErrorCode: 10100 }],
    ['Group.CallbackBeforeApplyJoinGroup', () => allow(), OK],
    ['Group.CallbackBeforeCreateTopic', () => reject(), { ...OK, ErrorCode: 1 }],
    ['Group.CallbackBeforeInviteJoinGroup', () => refuseOnly(['tommy']), { ...OK, RefusedMembers_Account: ['tommy'] }],
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
    const im = imCallbacks(SDK_APP_ID, { logger: silentLogger });
    im.on(command, decide as never);
    const app = express5();
    app.use(im);
    const response = await post(app, command, samples[command]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(expected);
  });

  it('a group code on a C2C send is refused, reported, and the fallback (allow) is sent', async () => {
    const errors: ImCallbackError[] = [];
    const im = imCallbacks(SDK_APP_ID, { logger: silentLogger });
    im.on('C2C.CallbackBeforeSendMsg', () => reject(10100));
    im.onError((error) => errors.push(error));
    const app = express5();
    app.use(im);
    const response = await post(app, 'C2C.CallbackBeforeSendMsg', samples['C2C.CallbackBeforeSendMsg']);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(OK);
    expect(errors.map((error) => error.code)).toEqual(['DECISION_INVALID']);
    expect(errors[0]?.message).toMatch(/120001-130000, not 10100/);
  });
});

describe('malformed payloads, one per domain (express 5)', () => {
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
  ];

  it.each(cases)('%s: %s with a wrong type is refused with 400', async (_domain, command, change) => {
    const errors: ImCallbackError[] = [];
    const called: string[] = [];
    const im = imCallbacks(SDK_APP_ID, { logger: silentLogger });
    im.on(command, () => {
      called.push(command);
    });
    im.onError((error) => errors.push(error));
    const app = express5();
    app.use(im);
    const payload = { ...samples[command], ...change };
    const response = await post(app, command, payload);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 1 });
    expect(response.body.ErrorInfo).toMatch(
      new RegExp(`^PAYLOAD_INVALID: payload invalid at ${Object.keys(change)[0]}`),
    );
    expect(called).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('PAYLOAD_INVALID');
    expect(errors[0]?.command).toBe(command);
    expect(errors[0]?.payload).toEqual(payload);
  });
});
