/**
 * The test every example passes: started as users start it, answering signed callbacks over HTTP;
 * and its moderation policy run in-process on the example's own receiver (`invoke`, no HTTP).
 */
import type { CallbackReceiver } from '@im-callbacks/core';
import { invoke, sample, send } from '@im-callbacks/testing';

const SDKAPPID = 1400000000;
const TOKEN = 'example-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

interface Running {
  url: string;
  close(): Promise<void>;
  /** The receiver behind the app's callback route. */
  receiver: CallbackReceiver;
}

type Start = (options: { sdkAppId: number; token: string; log: (line: string) => void }) => Promise<Running>;

/** A group message about to be sent, from `From_Account`, with one text element. */
function groupMessage(Text: string, From_Account = 'jared') {
  return {
    ...sample('Group.CallbackBeforeSendMsg'),
    From_Account,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text } }],
  };
}

export function describeExample(name: string, start: Start): void {
  describe(`examples/${name}`, () => {
    let app: Running;
    const lines: string[] = [];
    beforeAll(async () => {
      app = await start({ sdkAppId: SDKAPPID, token: TOKEN, log: (line) => lines.push(line) });
    });
    afterAll(() => app.close());

    test('answers a signed after-send callback and logs the typed event', async () => {
      const result = await send(app.url, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
        sdkAppId: SDKAPPID,
        token: TOKEN,
      });
      expect(result.status).toBe(200);
      expect(result.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
      expect(lines.at(-1)).toBe('after-send   @TGS#2J4SZEAEL #123 jared: "red packet" at 2022-12-09T08:26:54.123Z');
    });

    test.each([
      ['hello', { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }],
      ['free money!', { ActionStatus: 'OK', ErrorInfo: 'message refused by moderation', ErrorCode: 10100 }],
      [
        'ring 13800138000',
        {
          ActionStatus: 'OK',
          ErrorInfo: '',
          ErrorCode: 0,
          MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'ring ***' } }],
        },
      ],
    ])('moderates "%s"', async (Text, reply) => {
      const result = await send(app.url, 'Group.CallbackBeforeSendMsg', groupMessage(Text), {
        sdkAppId: SDKAPPID,
        token: TOKEN,
      });
      expect(result.reply).toEqual(reply);
    });

    test('silently discards a muted sender', async () => {
      const payload = { ...sample('Group.CallbackBeforeSendMsg'), From_Account: 'spammer' };
      const result = await send(app.url, 'Group.CallbackBeforeSendMsg', payload, { sdkAppId: SDKAPPID, token: TOKEN });
      expect(result.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 2 });
    });

    describe('moderation in-process (invoke: the handlers, no HTTP)', () => {
      test.each([
        ['allows an ordinary message', groupMessage('see you at 8'), OK, 'allow'],
        [
          'rejects a banned word with the app code 10100',
          groupMessage('FREE MONEY here'),
          { ActionStatus: 'OK', ErrorInfo: 'message refused by moderation', ErrorCode: 10100 },
          'reject',
        ],
        [
          'rewrites a phone number',
          groupMessage('call me 13800138000'),
          { ...OK, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'call me ***' } }] },
          'modify',
        ],
        [
          'discards a muted sender silently',
          groupMessage('hello', 'spammer'),
          { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 2 },
          'discard',
        ],
      ])('%s', async (_title, payload, reply, decision) => {
        const result = await invoke(app.receiver, 'Group.CallbackBeforeSendMsg', payload);
        expect(result.status).toBe(200);
        expect(result.reply).toEqual(reply);
        expect(lines.at(-1)).toMatch(
          new RegExp(`^before-send  @TGS#\\S+ ${payload.From_Account}: ".*" → ${decision}$`),
        );
      });

      test('keeps the other elements of a rewritten message', async () => {
        const payload = {
          ...sample('Group.CallbackBeforeSendMsg'),
          MsgBody: [
            { MsgType: 'TIMTextElem', MsgContent: { Text: 'ring 13800138000' } },
            { MsgType: 'TIMFaceElem', MsgContent: { Index: 1, Data: 'smile' } },
          ],
        };
        const { reply } = await invoke(app.receiver, 'Group.CallbackBeforeSendMsg', payload);
        expect(reply.MsgBody).toEqual([
          { MsgType: 'TIMTextElem', MsgContent: { Text: 'ring ***' } },
          { MsgType: 'TIMFaceElem', MsgContent: { Index: 1, Data: 'smile' } },
        ]);
      });

      test('logs an after-send event', async () => {
        const result = await invoke(app.receiver, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'));
        expect(result.reply).toEqual(OK);
        expect(lines.at(-1)).toBe('after-send   @TGS#2J4SZEAEL #123 jared: "red packet" at 2022-12-09T08:26:54.123Z');
      });
    });

    test('refuses an unsigned callback', async () => {
      const result = await send(app.url, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
        sdkAppId: SDKAPPID,
      });
      expect(result.status).toBe(401);
      expect(lines.at(-1)).toBe('refused      401 SIGN_MISSING: Sign is missing');
    });
  });
}
