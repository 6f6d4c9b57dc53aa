/**
 * Every before-callback of the catalogue, every decision form it takes, and the exact wire reply
 * of each (protocol reference §4). Custom codes outside a command's range are refused at runtime
 * with a clear error, and the fallback decision is sent instead.
 */
import {
  allow,
  type BeforeDecision,
  type CommandName,
  commandList,
  createReceiver,
  DecisionError,
  discard,
  friendResults,
  type ImCallbackError,
  refuseOnly,
  reject,
  silentLogger,
} from '@im-callbacks/core';
import { samples } from '@im-callbacks/test-helpers';
import * as v from 'valibot';
import { catalogue } from '../src/catalogue/index.js';
import { decisionInputs, InvalidDecision, replyFor } from '../src/pipeline/reply.js';
import { request as buildRequestOf } from './fixtures.js';

const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';

function reply(command: CommandName, decision: BeforeDecision | undefined): string {
  const payload = v.parse(catalogue[command].schema, samples[command]);
  return replyFor(catalogue[command], decision, decisionInputs(catalogue[command], payload));
}

const newBody = [{ MsgType: 'TIMTextElem' as const, MsgContent: { Text: '***' } }];

describe.each([
  'C2C.CallbackBeforeSendMsg',
  'Group.CallbackBeforeSendMsg',
  'OfficialAccount.CallbackBeforeSendMsg',
] as const)('%s (send)', (command) => {
  it('allow() / nothing: the plain acknowledgement', () => {
    expect(reply(command, allow())).toBe(OK);
    expect(reply(command, undefined)).toBe(OK);
  });
  it('allow({ MsgBody, CloudCustomData }): ErrorCode 0 and the replacements', () => {
    expect(reply(command, allow({ MsgBody: newBody, CloudCustomData: 'moderated' }))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"***"}}],"CloudCustomData":"moderated"}',
    );
    expect(reply(command, allow({ CloudCustomData: 'x' }))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"CloudCustomData":"x"}',
    );
    expect(reply(command, allow({ MsgBody: newBody }))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"***"}}]}',
    );
  });
  it('reject(): ErrorCode 1', () => {
    expect(reply(command, reject())).toBe('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}');
    expect(reply(command, reject(1, 'spam'))).toBe('{"ActionStatus":"OK","ErrorInfo":"spam","ErrorCode":1}');
  });
  it('discard(): ErrorCode 2', () => {
    expect(reply(command, discard())).toBe('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":2}');
  });
});

describe('custom refusal codes', () => {
  it('C2C send: 120001–130000, code and info on the wire', () => {
    expect(reply('C2C.CallbackBeforeSendMsg', reject(120001, 'banned word'))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"banned word","ErrorCode":120001}',
    );
    expect(reply('C2C.CallbackBeforeSendMsg', reject({ code: 130000 }))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":130000}',
    );
    expect(() => reply('C2C.CallbackBeforeSendMsg', reject(10100))).toThrow(
      /C2C.CallbackBeforeSendMsg rejects with code 1 or 120001-130000, not 10100/,
    );
  });

  it.each([
    'Group.CallbackBeforeSendMsg',
    'Group.CallbackBeforeCreateGroup',
    'Group.CallbackBeforeApplyJoinGroup',
    'Group.CallbackBeforeInviteJoinGroup',
    'Group.CallbackBeforeCreateTopic',
  ] as const)('%s: 10100–10200', (command) => {
    expect(reply(command, reject(10100, 'not now'))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"not now","ErrorCode":10100}',
    );
    expect(reply(command, reject(10200))).toBe('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":10200}');
    expect(() => reply(command, reject(10099))).toThrow(InvalidDecision);
    expect(() => reply(command, reject(10201))).toThrow(/code 1 or 10100-10200, not 10201/);
    expect(() => reply(command, reject(2))).toThrow(InvalidDecision);
  });

  it.each([
    'OfficialAccount.CallbackBeforeSendMsg',
    'OfficialAccount.CallbackBeforeCreateOfficialAccount',
    'OfficialAccount.CallbackBeforeAddSubscriber',
  ] as const)('%s: code 1 only', (command) => {
    expect(reply(command, reject(1, 'no'))).toBe('{"ActionStatus":"OK","ErrorInfo":"no","ErrorCode":1}');
    expect(() => reply(command, reject(10100))).toThrow(`${command} rejects with code 1, not 10100`);
  });
});

describe.each([
  'Group.CallbackBeforeCreateGroup',
  'Group.CallbackBeforeApplyJoinGroup',
  'Group.CallbackBeforeCreateTopic',
  'OfficialAccount.CallbackBeforeCreateOfficialAccount',
] as const)('%s (veto)', (command) => {
  it('allow / reject, nothing else', () => {
    expect(reply(command, allow())).toBe(OK);
    expect(reply(command, reject())).toBe('{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}');
    expect(() => reply(command, discard())).toThrow(`${command} cannot answer with "discard"`);
    expect(() => reply(command, allow({ CloudCustomData: 'x' }))).toThrow(InvalidDecision);
    expect(() => reply(command, refuseOnly(['a']))).toThrow(InvalidDecision);
  });
});

describe('refusing only some accounts', () => {
  it('Group.CallbackBeforeInviteJoinGroup: RefusedMembers_Account', () => {
    expect(reply('Group.CallbackBeforeInviteJoinGroup', refuseOnly(['tommy']))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RefusedMembers_Account":["tommy"]}',
    );
    expect(reply('Group.CallbackBeforeInviteJoinGroup', allow())).toBe(OK);
    expect(reply('Group.CallbackBeforeInviteJoinGroup', reject())).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}',
    );
  });
  it('OfficialAccount.CallbackBeforeAddSubscriber: RefusedSubscribers_Account', () => {
    expect(reply('OfficialAccount.CallbackBeforeAddSubscriber', refuseOnly(['user2']))).toBe(
      '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RefusedSubscribers_Account":["user2"]}',
    );
    expect(reply('OfficialAccount.CallbackBeforeAddSubscriber', allow())).toBe(OK);
    expect(() => reply('OfficialAccount.CallbackBeforeAddSubscriber', discard())).toThrow(InvalidDecision);
  });
});

describe.each([
  ['Sns.CallbackPrevFriendAdd', ['id1', 'id2']],
  ['Sns.CallbackPrevFriendResponse', ['id1', 'id2']],
] as const)('%s (per-friend ResultItem)', (command, [first, second]) => {
  const items = (entries: [string, number, string][]) =>
    JSON.stringify({
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
      ResultItem: entries.map(([To_Account, ResultCode, ResultInfo]) => ({ To_Account, ResultCode, ResultInfo })),
    });

  it('allow(): every friend 0', () => {
    expect(reply(command, allow())).toBe(
      items([
        [first, 0, ''],
        [second, 0, ''],
      ]),
    );
    expect(reply(command, undefined)).toBe(reply(command, allow()));
  });
  it('reject(): every friend refused with 38000 (or the given code)', () => {
    expect(reply(command, reject())).toBe(
      items([
        [first, 38000, ''],
        [second, 38000, ''],
      ]),
    );
    expect(reply(command, reject(38123, 'no strangers'))).toBe(
      items([
        [first, 38123, 'no strangers'],
        [second, 38123, 'no strangers'],
      ]),
    );
    expect(() => reply(command, reject(1))).toThrow(/38000-39000, not 1/);
  });
  it('friendResults(): per friend, the unlisted ones allowed', () => {
    expect(reply(command, friendResults([{ To_Account: second, ResultCode: 38001, ResultInfo: 'blocked' }]))).toBe(
      items([
        [first, 0, ''],
        [second, 38001, 'blocked'],
      ]),
    );
    expect(() => reply(command, friendResults([{ To_Account: first, ResultCode: 5 }]))).toThrow(InvalidDecision);
    expect(() => reply(command, friendResults([{ To_Account: 'stranger', ResultCode: 0 }]))).toThrow(
      /stranger, who is not in the request/,
    );
    expect(() => reply(command, discard())).toThrow(InvalidDecision);
  });
});

describe('a decision the command does not take, at runtime', () => {
  it.each(commandList.filter((spec) => spec.form !== 'ack').map((spec) => spec.command))(
    '%s: an out-of-range code reaches onError and the fallback decision is sent',
    async (command) => {
      for (const fallback of ['allow', 'reject'] as const) {
        const errors: ImCallbackError[] = [];
        const receiver = createReceiver({ sdkAppId: 1400000000, logger: silentLogger, fallback });
        receiver.on(command, () => reject(99) as never);
        receiver.onError((error) => errors.push(error));
        const request = buildRequestOf(command, samples[command], { sdkAppId: 1400000000 });
        const response = await receiver.handle({ query: request.query, body: request.body });
        expect(response.status).toBe(200);
        expect(response.body).toBe(reply(command, fallback === 'reject' ? reject() : allow()));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toBeInstanceOf(DecisionError);
        expect(errors[0]?.code).toBe('DECISION_INVALID');
        expect(errors[0]?.message).toMatch(/not 99/);
        expect(errors[0]?.payload).toEqual(samples[command]);
      }
    },
  );
});
