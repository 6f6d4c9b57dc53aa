/**
 * Every ```ts / ```js block of the root README is a complete program that runs as written. Each is
 * written to test/readme/.generated/ (gitignored; removed after the run unless IM_README_KEEP=1;
 * packages the root does not have are linked from the example that depends on them), type-checked
 * with the repo's tsconfig.json (`paths` map @im-callbacks/* to the sources), then run with tsx on a
 * free PORT, with IM_CALLBACK_TOKEN and IM_SDKAPPID set, and sent signed callbacks. A block that does
 * not compile, does not start a server, or answers wrongly fails. Snippets that are not programs
 * belong in ```text blocks; a block that is a file of another host's project (```ts file=app/...)
 * is test/readme/readme-files.test.ts's.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, start, stopAll, waitForPort } from '@im-callbacks/test-helpers';
import { sample, send } from '@im-callbacks/testing';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const OUT = join(__dirname, '.generated');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const SDKAPPID = 1400000000;
const TOKEN = 'readme-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

interface Block {
  /** 1-based position among the README's code blocks that are programs. */
  readonly index: number;
  readonly heading: string;
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly file: string;
}

/** The ```ts / ```js blocks of `markdown`, with the heading each sits under. */
function programBlocks(markdown: string): Omit<Block, 'file'>[] {
  const blocks: Omit<Block, 'file'>[] = [];
  const lines = markdown.split('\n');
  let heading = '(top)';
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at] as string;
    const fence = /^(`{3,})\s*([\w-]*)(.*)/.exec(line);
    if (!fence) {
      if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '').trim();
      continue;
    }
    const [, ticks, lang, info] = fence as unknown as [string, string, string, string];
    const start = at;
    const body: string[] = [];
    for (at++; at < lines.length && !(lines[at] as string).startsWith(ticks); at++) body.push(lines[at] as string);
    if (/^(ts|typescript|js|javascript|mjs|mts)$/i.test(lang) && !/\bfile=/.test(info)) {
      blocks.push({
        index: blocks.length + 1,
        heading,
        line: start + 1,
        lang: lang.toLowerCase(),
        code: `${body.join('\n')}\n`,
      });
    }
  }
  return blocks;
}

/** The package a bare specifier names (`@koa/router` → `@koa/router`, `hono/cors` → `hono`), or undefined. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Makes a block's bare imports resolvable from .generated/: packages the root has resolve by
 * themselves; others (koa, fastify, hono...) are linked from the workspace package that depends on
 * them (an example). Returns the names no workspace package has.
 */
function linkDependencies(blocks: readonly Block[]): string[] {
  const missing: string[] = [];
  const candidates = ['examples', 'packages'].flatMap((dir) =>
    readdirSync(join(ROOT, dir)).map((name) => join(ROOT, dir, name, 'node_modules')),
  );
  for (const block of blocks) {
    for (const { fileName } of ts.preProcessFile(block.code, true, true).importedFiles) {
      const name = packageOf(fileName);
      if (name === undefined || name.startsWith('@im-callbacks/')) continue;
      if (existsSync(join(ROOT, 'node_modules', name)) || existsSync(join(OUT, 'node_modules', name))) continue;
      const found = candidates.map((dir) => join(dir, name)).find((dir) => existsSync(join(dir, 'package.json')));
      if (found === undefined) {
        missing.push(`${name} (block ${block.index}, "${block.heading}", README.md line ${block.line})`);
        continue;
      }
      mkdirSync(join(OUT, 'node_modules', name, '..'), { recursive: true });
      symlinkSync(found, join(OUT, 'node_modules', name), 'dir');
    }
  }
  return missing;
}

/** What each quick start answers to a spam message about to be sent (a block without such a handler: allow). */
const SPAM_REPLIES: Record<string, unknown> = {
  'Quick start: Express': { ActionStatus: 'OK', ErrorInfo: 'spam', ErrorCode: 10100 },
  'Quick start: NestJS': { ActionStatus: 'OK', ErrorInfo: 'spam', ErrorCode: 10100 },
};

/** What must (or must not) show in a block's output. */
const OUTPUT_CHECKS: Record<string, RegExp> = {
  // The Fastify quick start logs requests through imCallbacksRequestSerializer.
  'Quick start: Fastify': /Sign=\[redacted\]/,
  // The OpenTelemetry block prints every span (ConsoleSpanExporter).
  'OpenTelemetry spans and Prometheus metrics': /im-callback Group\.CallbackAfterSendMsg/,
};

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks: Block[] = programBlocks(readme).map((block) => {
  const slug = block.heading
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const extension = block.lang.startsWith('j') || block.lang === 'mjs' ? 'js' : 'ts';
  return { ...block, file: join(OUT, `block-${block.index}-${slug}.${extension}`) };
});

describe('README code blocks', () => {
  let missing: string[] = [];

  beforeAll(() => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    // ESM, as an app with "type": "module" (top-level await in the Fastify quick start).
    writeFileSync(join(OUT, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
    for (const block of blocks) writeFileSync(block.file, block.code);
    missing = linkDependencies(blocks);
  });
  afterAll(async () => {
    await stopAll();
    // Removed after the run (biome would lint what is left); IM_README_KEEP=1 keeps the files to debug.
    if (!process.env.IM_README_KEEP) rmSync(OUT, { recursive: true, force: true });
  });

  test('every quick start is a program block', () => {
    expect(blocks.map((block) => block.heading)).toEqual(
      expect.arrayContaining([
        'Quick start: Express',
        'Quick start: Koa',
        'Quick start: Fastify',
        'Quick start: fetch (Hono, Bun, Deno, workers)',
        'Quick start: NestJS',
      ]),
    );
  });

  test('imports only packages the workspace installs', () => {
    expect(missing).toEqual([]);
  });

  test('every block type-checks with the repo settings (complete files: imports, no undefined names)', () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const program = ts.createProgram(
      blocks.map((block) => block.file),
      { ...parsed.options, noEmit: true, checkJs: true },
    );
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...blocks.flatMap((block) => {
        const source = program.getSourceFile(block.file);
        if (source === undefined) throw new Error(`${block.file} is not in the program`);
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

  test.each(blocks.map((block) => [`${block.index}: ${block.heading} (README.md line ${block.line})`, block] as const))(
    'block %s runs as written: serves signed callbacks on PORT',
    async (name, block) => {
      const port = await freePort();
      const server = start(TSX, ['--tsconfig', join(ROOT, 'tsconfig.json'), block.file], {
        cwd: OUT,
        env: {
          ...process.env,
          PORT: String(port),
          IM_CALLBACK_TOKEN: TOKEN,
          IM_SDKAPPID: String(SDKAPPID),
        },
      });
      try {
        await waitForPort(port, server, `README block ${name}`, 25_000);
        const url = `http://127.0.0.1:${port}/im/callback`;
        const options = { sdkAppId: SDKAPPID, token: TOKEN };

        const after = await send(url, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), options);
        expect([after.status, after.reply]).toEqual([200, OK]);

        const spam = {
          ...sample('Group.CallbackBeforeSendMsg'),
          MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'FREE MONEY, click here' } }],
        };
        const before = await send(url, 'Group.CallbackBeforeSendMsg', spam, options);
        expect([before.status, before.reply]).toEqual([200, SPAM_REPLIES[block.heading] ?? OK]);

        // The block reads IM_CALLBACK_TOKEN: an unsigned callback is refused.
        const unsigned = await send(url, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
          sdkAppId: SDKAPPID,
        });
        expect(unsigned.status).toBe(401);
        // And IM_SDKAPPID: another app's callback is refused.
        const other = await send(url, 'Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
          sdkAppId: 1400000001,
          token: TOKEN,
        });
        expect(other.status).toBe(403);

        // Give loggers a moment to flush, then no line may carry a Sign.
        await new Promise((done) => setTimeout(done, 200));
        const output = server.output();
        const signs = [after, before, other].map((result) => new URLSearchParams(result.request.query).get('Sign'));
        for (const value of signs) expect(output).not.toContain(value);
        expect(output).not.toMatch(/Sign=[0-9a-f]{16}/i);
        const check = OUTPUT_CHECKS[block.heading];
        if (check) expect(output).toMatch(check);
      } finally {
        await server.stop();
      }
    },
    40_000,
  );
});
