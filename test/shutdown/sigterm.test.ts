/**
 * A kill like a deploy's: an app in a child process (Express with the README's SIGTERM recipe;
 * Fastify through `app.close()`), a 100 ms deadline and after-callback handlers that end 1 s after
 * the SIGTERM, takes 200 callbacks (all answered at the deadline, every handler still running),
 * then gets SIGTERM.
 * With the default drain, all 200 handlers finish before the process exits and the callbacks sent
 * during the drain are answered 503; with a 300 ms timeout, the 200 unfinished ones reach `onError`
 * as ABANDONED, each with its payload.
 */
import { join, resolve } from 'node:path';
import { freePort, type Running, start, stopAll, waitForPort } from '@im-callbacks/test-helpers';
import { sample, send } from '@im-callbacks/testing';

const ROOT = resolve(__dirname, '../..');
const TOKEN = 'shutdown-token';
const SDKAPPID = 1400000000;
const AFTER = 'Group.CallbackAfterSendMsg';
const CALLBACKS = 200;
const DURING_DRAIN = 20;

interface Result {
  drain: { finished: number; abandoned: number };
  handled: number;
  shuttingDown: number;
  abandoned: { MsgSeq: number; CallbackCommand: string }[];
}

afterAll(() => stopAll());

function startApp(app: string, env: Record<string, string>): Running {
  return start(process.execPath, ['--import', 'tsx', join(__dirname, 'apps', app)], {
    cwd: ROOT,
    env: { ...process.env, IM_CALLBACK_TOKEN: TOKEN, ...env },
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitFor(what: RegExp, app: Running, timeout = 10_000): Promise<void> {
  const until = Date.now() + timeout;
  while (!what.test(app.output())) {
    if (Date.now() > until || app.hasExited()) throw new Error(`no ${what} in the output:\n${app.output()}`);
    await sleep(10);
  }
}

/** Sends the 200 callbacks (MsgSeq 1..200), SIGTERMs the app, sends more during the drain, reads its result. */
async function killLikeADeploy(app: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = startApp(app, { PORT: String(port), ...env });
  await waitForPort(port, child, app, 30_000);
  const url = `http://127.0.0.1:${port}/im/callback`;
  const options = { sdkAppId: SDKAPPID, token: TOKEN };

  const answers = await Promise.all(
    Array.from({ length: CALLBACKS }, (_, i) => send(url, AFTER, { ...sample(AFTER), MsgSeq: i + 1 }, options)),
  );
  const sentAt = Date.now();
  child.child.kill('SIGTERM');
  await waitFor(/DRAINING/, child);
  const during = await Promise.all(
    Array.from({ length: DURING_DRAIN }, (_, i) =>
      send(url, AFTER, { ...sample(AFTER), MsgSeq: 1000 + i }, options).then(
        (answer) => ({ status: answer.status, reply: answer.reply as { ErrorInfo?: string } }),
        (error: Error) => ({ status: 0, reply: { ErrorInfo: error.message } }),
      ),
    ),
  );
  const exit = await child.exited;
  const line = /^RESULT (.*)$/m.exec(child.output());
  if (line === null) throw new Error(`no result line:\n${child.output()}`);
  return {
    answers: answers.map((answer) => answer.status),
    during,
    exit,
    result: JSON.parse(line[1] as string) as Result,
    drainMs: Date.now() - sentAt,
    output: child.output(),
  };
}

const apps = [
  ['Express (server.close() after receiver.close())', 'express-app.ts'],
  ['Fastify (app.close())', 'fastify-app.ts'],
] as const;

describe.each(apps)('%s', (_name, app) => {
  test('SIGTERM after 200 callbacks: all 200 late handlers finish before the process exits; callbacks during the drain get 503', async () => {
    const run = await killLikeADeploy(app);
    expect(run.answers).toEqual(Array(CALLBACKS).fill(200));
    expect(run.exit).toEqual({ code: 0, signal: null });
    expect(run.result.drain).toEqual({ finished: CALLBACKS, abandoned: 0 });
    expect(run.result.handled).toBe(CALLBACKS);
    expect(run.result.abandoned).toEqual([]);
    expect(run.during.map((answer) => answer.status)).toEqual(Array(DURING_DRAIN).fill(503));
    if (app === 'express-app.ts') {
      // Core's answer: the Express server still listens while the receiver drains.
      expect(run.result.shuttingDown).toBe(DURING_DRAIN);
      for (const answer of run.during) expect(answer.reply.ErrorInfo).toMatch(/^SHUTTING_DOWN: /);
    }
    console.log(
      `${app}: SIGTERM drain: ${JSON.stringify(run.result.drain)}, handlers finished ${run.result.handled}, ` +
        `answered 503 during the drain ${run.during.filter((answer) => answer.status === 503).length}, exit after ${run.drainMs} ms`,
    );
  }, 60_000);

  test('with a 300 ms timeout, the 200 unfinished callbacks are reported ABANDONED with their payloads', async () => {
    const run = await killLikeADeploy(app, { CLOSE_TIMEOUT: '300', RETURN_503: 'core' });
    expect(run.answers).toEqual(Array(CALLBACKS).fill(200));
    expect(run.exit).toEqual({ code: 0, signal: null });
    expect(run.result.drain).toEqual({ finished: 0, abandoned: CALLBACKS });
    expect(run.result.handled).toBe(0);
    expect(run.result.abandoned.map((payload) => payload.MsgSeq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: CALLBACKS }, (_, i) => i + 1),
    );
    for (const payload of run.result.abandoned)
      expect(payload).toMatchObject({ ...sample(AFTER), MsgSeq: payload.MsgSeq });
    // Fastify with return503OnClosing: false lets the callbacks reach the plugin: core's SHUTTING_DOWN, as on Express.
    expect(run.during.map((answer) => answer.status)).toEqual(Array(DURING_DRAIN).fill(503));
    expect(run.result.shuttingDown).toBe(DURING_DRAIN);
    console.log(
      `${app}: SIGTERM with close({ timeout: 300 }): ${JSON.stringify(run.result.drain)}, ` +
        `ABANDONED reports ${run.result.abandoned.length}, answered 503 ${run.during.length}`,
    );
  }, 60_000);
});
