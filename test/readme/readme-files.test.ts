/**
 * The README's files of other hosts' projects (```ts file=<path> blocks: the Next.js App Router
 * route, the Cloudflare worker) are complete files: each is written to test/readme/.generated-files/
 * (gitignored, removed after the run), type-checked with the repo's settings (Next's `after` from
 * test/readme/stubs), then loaded and given real `Request` objects (signed callbacks) with a
 * recording `waitUntil` (Next's `after`, the worker's `ctx.waitUntil`) and a message store slower
 * than the deadline: the answer must come at the deadline, before the store has the message, and
 * the store must have it once the recorded promises settle.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { buildRequest, sample } from '@im-callbacks/testing';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const OUT = join(__dirname, '.generated-files');
const STUBS = join(__dirname, 'stubs', 'next-server.d.ts');
const TOKEN = 'readme-files-token';
const SDKAPPID = 1400000000;
const AFTER = 'Group.CallbackAfterSendMsg';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
/** Longer than the default 1,500 ms deadline: the store answers after the callback was answered. */
const STORE_MS = 1_900;

interface FileBlock {
  readonly path: string;
  readonly line: number;
  readonly code: string;
  readonly file: string;
}

function fileBlocks(markdown: string): FileBlock[] {
  const blocks: FileBlock[] = [];
  const lines = markdown.split('\n');
  for (let at = 0; at < lines.length; at++) {
    const fence = /^(`{3,})\s*(ts|typescript)\s+file=(\S+)/.exec(lines[at] as string);
    if (!fence) continue;
    const [, ticks, , path] = fence as unknown as [string, string, string, string];
    const start = at;
    const body: string[] = [];
    for (at++; at < lines.length && !(lines[at] as string).startsWith(ticks); at++) body.push(lines[at] as string);
    const file = join(OUT, `${blocks.length + 1}-${path.replace(/\.ts$/, '').replace(/[^a-z0-9]+/gi, '-')}.ts`);
    blocks.push({ path, line: start + 1, code: `${body.join('\n')}\n`, file });
  }
  return blocks;
}

const blocks = fileBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const block = (path: string): FileBlock => {
  const found = blocks.find((candidate) => candidate.path === path);
  if (found === undefined) throw new Error(`README.md has no \`\`\`ts file=${path} block`);
  return found;
};

/** A callback as the IM backend sends it, signed with `token` (null: unsigned). */
function signedRequest(payload: Record<string, unknown>, token: string | null = TOKEN): Request {
  const built = buildRequest(AFTER, payload, { sdkAppId: SDKAPPID, token: token ?? undefined });
  return new Request(`https://example.com/im/callback?${built.query}`, { method: 'POST', body: built.body });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const { file, code } of blocks) writeFileSync(file, code);
});
afterAll(() => {
  if (!process.env.IM_README_KEEP) rmSync(OUT, { recursive: true, force: true });
});

test('the README has the Next.js route and the Cloudflare worker as file blocks', () => {
  expect(blocks.map((found) => found.path)).toEqual(['app/im/callback/route.ts', 'src/index.ts']);
});

test('each file type-checks with the repo settings', () => {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram([...blocks.map((found) => found.file), STUBS], { ...parsed.options, noEmit: true });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...blocks.flatMap((found) => {
      const source = program.getSourceFile(found.file) as ts.SourceFile;
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    }),
  ];
  const report = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
  expect(report).toBe('');
}, 60_000);

describe('app/im/callback/route.ts (Next.js App Router)', () => {
  const stored: unknown[] = [];
  let store: Server;
  const after: Promise<unknown>[] = [];

  beforeAll(async () => {
    // The message store the route posts to: it takes longer than the deadline to answer.
    store = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        setTimeout(() => {
          stored.push({ path: request.url, payload: JSON.parse(body) });
          response.end('stored');
        }, STORE_MS);
      });
    });
    await new Promise<void>((listening) => store.listen(0, '127.0.0.1', listening));
    const { port } = store.address() as { port: number };
    process.env.MESSAGE_STORE_URL = `http://127.0.0.1:${port}`;
    process.env.IM_CALLBACK_TOKEN = TOKEN;
    process.env.IM_SDKAPPID = String(SDKAPPID);
    // Next's `after`, recording: what the route hands it is what Next would keep running.
    jest.doMock('next/server', () => ({ after: (task: Promise<unknown>) => after.push(task) }), { virtual: true });
  });
  afterAll(() => {
    store.closeAllConnections();
    store.close();
    delete process.env.MESSAGE_STORE_URL;
  });

  test('answers at the deadline; the late store write goes to after() and lands once it settles', async () => {
    const route = require(block('app/im/callback/route.ts').file) as { POST(request: Request): Promise<Response> };
    const payload = { ...sample(AFTER), MsgSeq: 4242 };
    const started = Date.now();
    const response = await route.POST(signedRequest(payload));
    const answeredIn = Date.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(OK);
    expect(answeredIn).toBeLessThan(STORE_MS);
    expect(stored).toEqual([]);
    expect(after).toHaveLength(1);
    await Promise.all(after);
    expect(stored).toEqual([{ path: '/messages', payload }]);

    const unsigned = await route.POST(signedRequest(payload, null));
    expect(unsigned.status).toBe(401);
    expect(after).toHaveLength(1);
  }, 20_000);
});

describe('src/index.ts (Cloudflare worker)', () => {
  test('answers at the deadline; the KV write goes to ctx.waitUntil and lands once it settles', async () => {
    const worker = require(block('src/index.ts').file) as {
      default: { fetch(request: Request, env: unknown, ctx: unknown): Promise<Response> };
    };
    const kv = new Map<string, string>();
    const env = {
      IM_CALLBACK_TOKEN: TOKEN,
      IM_SDKAPPID: String(SDKAPPID),
      MESSAGES: {
        async put(key: string, value: string) {
          await sleep(STORE_MS);
          kv.set(key, value);
        },
      },
    };
    const waited: Promise<unknown>[] = [];
    // A method of the context object, as on Workers (the worker must not detach it).
    const ctx = {
      waitUntil(this: unknown, promise: Promise<unknown>) {
        if (this !== ctx) throw new TypeError('Illegal invocation');
        waited.push(promise);
      },
    };
    const payload = { ...sample(AFTER), MsgSeq: 4343 };
    const started = Date.now();
    const response = await worker.default.fetch(signedRequest(payload), env, ctx);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(OK);
    expect(Date.now() - started).toBeLessThan(STORE_MS);
    expect(kv.size).toBe(0);
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(JSON.parse(kv.get(`${payload.GroupId}:4343`) as string)).toEqual(payload);

    expect((await worker.default.fetch(signedRequest(payload, 'wrong-token'), env, ctx)).status).toBe(401);
  }, 20_000);
});
