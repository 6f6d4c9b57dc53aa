/**
 * A forged-Sign flood against a server limited to 4,096 descriptors (`prlimit --nofile`), with
 * genuine signed callbacks sent meanwhile (issue 19, item 1): none of the genuine callbacks is lost.
 * When a refused socket held its descriptor for the whole 1 s grace, a few thousand forged requests
 * a second filled the table, and the kernel's accepted connections were reset for want of one.
 * The server and the flood each run in their own process (the flood on its own CPU); one framework
 * version per adapter keeps the file to a few seconds a target. Linux only (prlimit, /proc): skipped
 * elsewhere with a message.
 *
 * The table is 2,048 descriptors by default, not the issue's 4,096: the issue's machine served 5-8 k
 * forged requests a second, a shared 2-core CI runner serves about 3 k, which a 1 s linger turns into
 * ~3,000 held descriptors, short of 4,096 (measured: 0-1 genuine lost of 100 before the fix), while
 * 2,048 fills the same way the issue's 4,096 did (20-30 of 100 lost before the fix).
 * IM_FLOOD_NOFILE=4096 runs the issue's figure.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { post, requestHead, start, stopAll, waitForOutput } from '@im-callbacks/test-helpers';
import { buildRequest, sample } from '@im-callbacks/testing';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const APP = 1400000000;
const TOKEN = 'fd-limit-token';
const AFTER = 'Group.CallbackAfterSendMsg';
const NOFILE = Number(process.env.IM_FLOOD_NOFILE ?? 2048);
const FLOOD_MS = 2500;
const GENUINE = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const hasPrlimit =
  process.platform === 'linux' && spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPrlimit) {
  test.skip('the descriptor-limit flood needs Linux with prlimit (util-linux); skipped on this platform', () => {});
}

afterAll(stopAll);

const rows: string[] = [];
afterAll(() => {
  if (rows.length > 0) console.log(`forged-Sign flood under ${NOFILE} descriptors:\n${rows.join('\n')}`);
});

describe.each(hasPrlimit ? ['express 5', 'koa 3', 'fastify 5'] : [])('forged-Sign flood, %s', (name) => {
  test(`${NOFILE} descriptors: no genuine callback lost while forged Signs flood in`, async () => {
    const server = start(
      'prlimit',
      [`--nofile=${NOFILE}:${NOFILE}`, TSX, join(__dirname, 'fixtures/flood-server.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, TARGET: name, TOKEN },
      },
    );
    const [, port, pid] = (await waitForOutput(
      server,
      /^listening (\d+) (\d+)$/m,
      `${name} server`,
      30_000,
    )) as string[];
    const url = `http://127.0.0.1:${port}/im/callback`;
    const forgedRequest = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: 'not-the-token' });
    const head = requestHead(Number(port), `/im/callback?${forgedRequest.query}`, {
      'Content-Length': String(Buffer.byteLength(forgedRequest.body)),
    });
    const flooder = start(process.execPath, [join(__dirname, 'fixtures/flooder.mjs')], {
      env: {
        ...process.env,
        PORT: port as string,
        MS: String(FLOOD_MS),
        WIDTH: '128',
        REQUEST: Buffer.from(head + forgedRequest.body).toString('base64'),
      },
    });
    // The server's descriptors, sampled through the flood.
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, readdirSync(`/proc/${pid}/fd`).length);
      } catch {
        // The server is gone: the test fails below.
      }
    }, 20);
    // Genuine callbacks, one connection each as the IM backend sends them, spread over the flood.
    await sleep(500);
    const outcomes = await Promise.all(
      Array.from({ length: GENUINE }, async (_, i) => {
        await sleep((i * (FLOOD_MS - 800)) / GENUINE);
        const built = buildRequest(AFTER, { ...sample(AFTER), MsgSeq: i + 1 }, { sdkAppId: APP, token: TOKEN });
        try {
          const answer = await post(url, built.query, built.body, {}, 5000);
          return answer.status === 200 ? 'ok' : `status ${answer.status}`;
        } catch (error) {
          return (error as Error).message;
        }
      }),
    );
    await flooder.exited;
    clearInterval(sampler);
    const flood = /sent (\d+) answered (\d+)/.exec(flooder.output());
    const lost = outcomes.filter((outcome) => outcome !== 'ok');
    rows.push(
      `${name.padEnd(10)} forged ${flood?.[1]} sent (${flood?.[2]} answered 401) in ${FLOOD_MS} ms; server peak ${peak} descriptors; genuine lost ${lost.length}/${GENUINE}${lost.length > 0 ? ` (${[...new Set(lost)].slice(0, 3).join('; ')})` : ''}`,
    );
    await server.stop();
    expect(lost).toEqual([]);
  }, 60_000);
});
