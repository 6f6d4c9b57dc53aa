/**
 * A real `redis-server` for the tests (the Debian package; `.ci/run` installs it): started on a free
 * loopback port, no persistence, in a temp dir, and stopped after. Without `redis-server` the Redis
 * tests fail with how to install it, unless IM_SKIP_REDIS=1 says to skip them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Running, start, waitForPort } from '@im-callbacks/test-helpers';

export const REDIS_MISSING =
  'redis-server is not installed: `apt-get install -y redis-server` (Debian/Ubuntu; .ci/run does this), ' +
  '`brew install redis` (macOS); or set IM_SKIP_REDIS=1 to skip the Redis tests';

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `describe` when redis-server is installed; otherwise a failing test saying how to get it (skipped with IM_SKIP_REDIS=1). */
export function describeWithRedis(name: string, body: () => void): void {
  if (hasRedisServer()) describe(name, body);
  else if (process.env.IM_SKIP_REDIS === '1') describe.skip(name, body);
  else
    describe(name, () => {
      test('needs redis-server', () => {
        throw new Error(REDIS_MISSING);
      });
    });
}

export interface RedisServer {
  readonly port: number;
  /** Stops the server (SIGTERM, nothing saved). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it for good and removes its temp dir. */
  close(): Promise<void>;
  /** Sends `signal` to the server process (SIGSTOP freezes it with its connections open, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'im-callbacks-redis-'));
  let server: Running | undefined;
  const launch = async (): Promise<void> => {
    server = start('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ]);
    await waitForPort(port, server, 'redis-server');
  };
  await launch();
  return {
    port,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    restart: launch,
    signal(signal) {
      if (server?.child.pid !== undefined) process.kill(server.child.pid, signal);
    },
    async close() {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
