/**
 * Child processes for tests that run programs as users run them (README blocks under tsx, the core
 * under Bun and Deno): started in their own process group, output kept, waited for with bounded
 * timeouts, and stopped (the whole group, so a runner's own children go too).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

export interface Running {
  readonly child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** Stops the process group (SIGTERM, then SIGKILL after `grace` ms) and waits for the exit. */
  stop(grace?: number): Promise<void>;
}

const running = new Set<Running>();

export function start(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Running {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  let done = false;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      text += `\n[spawn failed: ${error.message}]`;
      done = true;
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const process_: Running = {
    child,
    output: () => text,
    exited,
    hasExited: () => done,
    async stop(grace = 2000) {
      running.delete(process_);
      if (done || child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), grace);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(process_);
  return process_;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops every process started here and not stopped yet (for `afterAll`). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((process_) => process_.stop()));
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `port` accepts connections; fails with the process's output if it exits or `timeout` passes. */
export async function waitForPort(port: number, process_: Running, what: string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await answers(port)) return;
    if (process_.hasExited()) {
      const { code, signal } = await process_.exited;
      throw new Error(
        `${what} exited (code ${code}, signal ${signal}) without listening on port ${port}. Output:\n${process_.output()}`,
      );
    }
    await sleep(100);
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeout} ms. Output:\n${process_.output()}`);
}

/** Waits for a line of output matching `pattern`; fails with the output if the process exits or `timeout` passes. */
export async function waitForOutput(
  process_: Running,
  pattern: RegExp,
  what: string,
  timeout = 15_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const match = process_.output().match(pattern);
    if (match) return match;
    if (process_.hasExited()) {
      const { code, signal } = await process_.exited;
      throw new Error(
        `${what} exited (code ${code}, signal ${signal}) before printing ${pattern}. Output:\n${process_.output()}`,
      );
    }
    await sleep(50);
  }
  throw new Error(`${what} did not print ${pattern} within ${timeout} ms. Output:\n${process_.output()}`);
}
