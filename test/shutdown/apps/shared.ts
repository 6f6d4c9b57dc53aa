/**
 * What both shutdown apps share: a receiver with a 100 ms deadline whose after-callback handler
 * ends 1 s after the SIGTERM (so every callback is answered before its handler ends, and every
 * handler is still running when the drain begins, however long the 200 callbacks took to send on a
 * busy machine), counters of what ran and what `onError` got, and the result line the test reads
 * once the process has drained.
 */
import { createReceiver, type DrainResult, silentLogger } from '@im-callbacks/core';

export const port = Number(process.env.PORT ?? 3000);
export const closeTimeout = Number(process.env.CLOSE_TIMEOUT ?? 10_000);

export const receiver = createReceiver({
  sdkAppId: 1400000000,
  token: process.env.IM_CALLBACK_TOKEN,
  deadline: 100,
  logger: silentLogger,
});

const handled: number[] = [];
const abandoned: unknown[] = [];
let shuttingDown = 0;

/** Settles at the SIGTERM (before the app's own listener drains). */
const terminated = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));

receiver.on('Group.CallbackAfterSendMsg', async (event) => {
  await terminated;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  handled.push(Number(event.payload.MsgSeq));
});
receiver.onError((error) => {
  if (error.code === 'ABANDONED') abandoned.push(error.payload);
  else if (error.code === 'SHUTTING_DOWN') shuttingDown++;
  else console.error(`unexpected ${error.code}: ${error.message}`);
});

/** One line on stdout, read by test/shutdown/sigterm.test.ts. */
export function printResult(drain: DrainResult): void {
  console.log(`RESULT ${JSON.stringify({ drain, handled: handled.length, shuttingDown, abandoned })}`);
}
