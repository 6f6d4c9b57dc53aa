import {
  allow,
  type CallbackEvent,
  createReceiver,
  discard,
  friendResults,
  type ImCallbackError,
  reject,
  silentLogger,
} from '@im-callbacks/core';
import { imCallbacks } from '@im-callbacks/express';
import { invoke, sample } from '@im-callbacks/testing';

const APP = 1400000000;
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

function receiver(options: { fallback?: 'allow' | 'reject' } = {}) {
  const errors: ImCallbackError[] = [];
  const created = createReceiver({ sdkAppId: [APP, 1400000001], logger: silentLogger, ...options });
  created.onError((error) => {
    errors.push(error);
  });
  return { receiver: created, errors };
}

describe('invoke', () => {
  test('an after-callback: the handler gets the typed event; status, parsed reply and wire response', async () => {
    const { receiver: im } = receiver();
    const seen: CallbackEvent<'Group.CallbackAfterSendMsg'>[] = [];
    im.on('Group.CallbackAfterSendMsg', (event) => {
      seen.push(event);
    });
    const payload = { ...sample('Group.CallbackAfterSendMsg'), EventTime: '1670574414123' };
    const result = await invoke(im, 'Group.CallbackAfterSendMsg', payload);
    expect(result.status).toBe(200);
    expect(result.reply).toEqual(OK);
    expect(result.response).toEqual({
      status: 200,
      body: '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.kind).toBe('after');
    expect(seen[0]?.sdkAppId).toBe(APP);
    expect(seen[0]?.payload.GroupId).toBe(payload.GroupId);
    expect(seen[0]?.payload.EventTime).toBe(1670574414123); // validated: the string became a number
  });

  test.each([
    ['allow (nothing returned)', () => undefined, OK],
    [
      'reject with an app code',
      () => reject(10100, 'spam'),
      { ActionStatus: 'OK', ErrorInfo: 'spam', ErrorCode: 10100 },
    ],
    [
      'rewrite',
      () => allow({ MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: '***' } }] }),
      { ...OK, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: '***' } }] },
    ],
    ['discard', () => discard(), { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 2 }],
  ])('a before-callback answers with the decision: %s', async (_name, decide, reply) => {
    const { receiver: im } = receiver();
    im.on('Group.CallbackBeforeSendMsg', decide);
    const result = await invoke(im, 'Group.CallbackBeforeSendMsg', sample('Group.CallbackBeforeSendMsg'));
    expect(result.status).toBe(200);
    expect(result.reply).toEqual(reply);
  });

  test('a friend callback: one ResultItem per friend of the request', async () => {
    const { receiver: im } = receiver();
    const payload = sample('Sns.CallbackPrevFriendAdd');
    const [first] = payload.FriendItem;
    im.on('Sns.CallbackPrevFriendAdd', () =>
      friendResults([{ To_Account: first!.To_Account, ResultCode: 38001, ResultInfo: 'no' }]),
    );
    const { reply } = await invoke(im, 'Sns.CallbackPrevFriendAdd', payload);
    expect(reply.ResultItem).toEqual(
      payload.FriendItem.map((item, index) =>
        index === 0
          ? { To_Account: item.To_Account, ResultCode: 38001, ResultInfo: 'no' }
          : { To_Account: item.To_Account, ResultCode: 0, ResultInfo: '' },
      ),
    );
  });

  test('the context reaches the event: another configured SDKAppID, request id, client IP, query', async () => {
    const { receiver: im } = receiver();
    let event: CallbackEvent<'State.StateChange'> | undefined;
    im.on('State.StateChange', (received) => {
      event = received;
    });
    await invoke(im, 'State.StateChange', sample('State.StateChange'), {
      sdkAppId: '1400000001',
      requestId: 'req-1',
      clientIp: '10.0.0.1',
      optPlatform: 'Android',
      requestTime: 1670574414,
      query: { CallbackCommand: 'State.StateChange' },
    });
    expect(event).toMatchObject({
      sdkAppId: 1400000001,
      requestId: 'req-1',
      clientIp: '10.0.0.1',
      optPlatform: 'Android',
      requestTime: 1670574414,
    });
  });

  test('answers as over HTTP when something fails: an after handler throws (500), another app (403)', async () => {
    const { receiver: im, errors } = receiver();
    im.on('Group.CallbackAfterSendMsg', () => {
      throw new Error('database down');
    });
    const failed = await invoke(im, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'));
    expect(failed.status).toBe(500);
    expect(failed.reply).toEqual({ ActionStatus: 'FAIL', ErrorInfo: 'HANDLER_FAILED: internal failure', ErrorCode: 1 });
    const other = await invoke(im, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
      sdkAppId: 1400009999,
    });
    expect(other.status).toBe(403);
    expect(other.reply.ActionStatus).toBe('FAIL');
    expect(errors.map((error) => error.code)).toEqual(['HANDLER_FAILED', 'SDKAPPID_MISMATCH']);
  });

  test('a payload that fails its schema: handlers are not called, the fallback decision answers', async () => {
    const { receiver: im, errors } = receiver({ fallback: 'reject' });
    const handler = jest.fn();
    im.on('Group.CallbackBeforeSendMsg', handler);
    const payload = { ...sample('Group.CallbackBeforeSendMsg'), MsgBody: 'not a list' };
    // @ts-expect-error the payload is typed by the command's schema: MsgBody is a list of elements
    const result = await invoke(im, 'Group.CallbackBeforeSendMsg', payload);
    expect(result.status).toBe(200);
    expect(result.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 1 });
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((error) => error.code)).toEqual(['PAYLOAD_INVALID']);
  });

  test("takes an adapter's object carrying a receiver, or a detached dispatch", async () => {
    const im = imCallbacks(APP, { logger: silentLogger });
    im.on('Group.CallbackBeforeSendMsg', () => reject(10101));
    const viaMiddleware = await invoke(im, 'Group.CallbackBeforeSendMsg', sample('Group.CallbackBeforeSendMsg'));
    expect(viaMiddleware.reply.ErrorCode).toBe(10101);
    const { dispatch } = im.receiver;
    const viaDispatch = await invoke(
      { dispatch },
      'Group.CallbackBeforeSendMsg',
      sample('Group.CallbackBeforeSendMsg'),
    );
    expect(viaDispatch.reply.ErrorCode).toBe(10101);
  });

  test('refuses something that is not a receiver', async () => {
    await expect(invoke({} as never, 'State.StateChange', sample('State.StateChange'))).rejects.toThrow(
      /pass a receiver/,
    );
  });

  test('is typed by command', () => {
    const { receiver: im } = receiver();
    // Compile-time checks only (pnpm typecheck); never called.
    const typed = () => {
      // @ts-expect-error not a command of the catalogue
      void invoke(im, 'Group.CallbackNoSuchThing', {});
      // @ts-expect-error another command's payload
      void invoke(im, 'Group.CallbackBeforeSendMsg', sample('State.StateChange'));
    };
    expect(typeof typed).toBe('function');
  });
});
