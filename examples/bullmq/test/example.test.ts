// The example as users run it, with a real redis-server: the web process and a worker (in this
// process), signed callbacks over HTTP. Before-callbacks are decided by the web process; after-
// callbacks are logged by the worker, once each, duplicates included.

import { sample, send } from '@im-callbacks/testing';
import { describeWithRedis, type RedisServer, startRedis } from '../../../packages/bullmq/test/redis.js';
import { start } from '../src/app.mjs';

const SDKAPPID = 1400000000;
const TOKEN = 'example-token';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('examples/bullmq', () => {
  let redis: RedisServer;
  let app: Awaited<ReturnType<typeof start>>;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    app = await start({
      sdkAppId: SDKAPPID,
      token: TOKEN,
      redis: `redis://127.0.0.1:${redis.port}`,
      log: (line: string) => lines.push(line),
    });
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await redis?.close();
  });

  const post = (command: string, payload: unknown, requestId?: string) =>
    send(app.url, command, payload, {
      sdkAppId: SDKAPPID,
      token: TOKEN,
      ...(requestId === undefined ? {} : { extraQuery: { RequestID: requestId } }),
    });

  test('the web process moderates a group message before it is sent', async () => {
    const message = (Text: string) => ({
      ...sample('Group.CallbackBeforeSendMsg'),
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text } }],
    });
    expect((await post('Group.CallbackBeforeSendMsg', message('free money!'))).reply).toEqual({
      ActionStatus: 'OK',
      ErrorInfo: 'message refused by moderation',
      ErrorCode: 10100,
    });
    expect((await post('Group.CallbackBeforeSendMsg', message('hello'))).reply).toEqual({
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
    });
  });

  test('an after-send callback is acknowledged, then logged by the worker once, though it was sent twice', async () => {
    const payload = sample('Group.CallbackAfterSendMsg');
    const replies = [
      await post('Group.CallbackAfterSendMsg', payload, 'r-1'),
      await post('Group.CallbackAfterSendMsg', payload, 'r-1'),
    ];
    expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
    const line = 'after-send   @TGS#2J4SZEAEL #123 jared: "red packet" at 2022-12-09T08:26:54.123Z';
    const deadline = Date.now() + 10_000;
    while (!lines.includes(line) && Date.now() < deadline) await sleep(50);
    await sleep(300);
    expect(lines.filter((seen) => seen === line)).toEqual([line]);
  });
});
