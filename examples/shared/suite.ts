/** The test every example passes: started as users start it, answering signed callbacks. */
import { sample, send } from '@im-callbacks/testing';

const SDKAPPID = 1400000000;
const TOKEN = 'example-token';

type Start = (options: { sdkAppId: number; token: string; log: (line: string) => void }) => Promise<{
  url: string;
  close(): Promise<void>;
}>;

export function describeExample(name: string, start: Start): void {
  describe(`examples/${name}`, () => {
    let app: { url: string; close(): Promise<void> };
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
      const payload = {
        ...sample('Group.CallbackBeforeSendMsg'),
        MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text } }],
      };
      const result = await send(app.url, 'Group.CallbackBeforeSendMsg', payload, { sdkAppId: SDKAPPID, token: TOKEN });
      expect(result.reply).toEqual(reply);
    });

    test('silently discards a muted sender', async () => {
      const payload = { ...sample('Group.CallbackBeforeSendMsg'), From_Account: 'spammer' };
      const result = await send(app.url, 'Group.CallbackBeforeSendMsg', payload, { sdkAppId: SDKAPPID, token: TOKEN });
      expect(result.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 2 });
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
