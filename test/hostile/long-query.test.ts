/**
 * A long query costs linear time (issue 19, item 5), over real HTTP on every target: 400,000
 * parameters without `=` (`a&a&...`, 800 KB) after a genuine callback's own parameters. The scan
 * used to look for each name's `=` to the end of the string (quadratic: 1.5 s of one event loop,
 * before the Sign was even checked). Node refuses a head over 16 KiB by default; these servers
 * accept 2 MiB, as an app that raised `maxHeaderSize` does, and as the fetch handler on other
 * runtimes may.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { silentLogger } from '@im-callbacks/core';
import { post } from '@im-callbacks/test-helpers';
import { buildRequest, sample } from '@im-callbacks/testing';
import type { RunningTarget } from '../conformance/target';
import { targets } from '../conformance/targets';

const APP = 1400000000;
const TOKEN = 'long-query-token';
const AFTER = 'Group.CallbackAfterSendMsg';
const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const NAMES = 400_000;

// Every server of this process reads heads up to 2 MiB: set on the server when a connection arrives
// (the channel announces it just after the server made that connection's parser, so a first short
// request primes each server; Node reads `server.maxHeaderSize` for every later connection).
const raiseHeaderSize = (message: unknown): void => {
  const server = (message as { socket?: Socket & { server?: Server & { maxHeaderSize?: number } } }).socket?.server;
  if (server !== undefined) server.maxHeaderSize = 2 * 1024 * 1024;
};
beforeAll(() => diagnosticsChannel.subscribe('net.server.socket', raiseHeaderSize));
afterAll(() => diagnosticsChannel.unsubscribe('net.server.socket', raiseHeaderSize));

const rows: string[] = [];
afterAll(() => {
  if (rows.length > 0) console.log(`${NAMES} parameters without '=':\n${rows.join('\n')}`);
});

describe.each(targets)('long queries: $name', (target) => {
  let app: RunningTarget | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test(`${NAMES} names without '=' after a signed query: answered at once`, async () => {
    app = await target.start({ sdkAppId: APP, token: TOKEN, logger: silentLogger });
    let runs = 0;
    app.im.on(AFTER, () => {
      runs++;
    });
    const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP, token: TOKEN });
    await post(app.url, built.query, built.body);
    const query = `${built.query}&${'a&'.repeat(NAMES)}`;
    // CPU time of this process (the server and the client are both in it): a busy machine stretches
    // the wall-clock time of a request, not the work done for it.
    const before = process.cpuUsage();
    const answer = await post(app.url, query, built.body, {}, 10_000);
    const used = process.cpuUsage(before);
    const cpuMs = Math.round((used.user + used.system) / 1000);
    rows.push(`${target.name.padEnd(10)} answered in ${answer.ms} ms, ${cpuMs} ms of CPU`);
    expect([answer.status, answer.text]).toEqual([200, OK]);
    expect(runs).toBe(2);
    // Quadratic, the scan alone took 1.5-1.9 s.
    expect(cpuMs).toBeLessThan(750);
  }, 20_000);
});
