#!/usr/bin/env node
// pnpm pack:check — installs the packages as a user would, from their tarballs, and smoke-tests them.
//
// Builds nothing: run `pnpm build` first. Packs every published package with `pnpm pack` (which
// turns `workspace:` ranges into versions), installs the tarballs with npm into a scratch project in
// a temp dir outside the workspace (with express, koa, fastify, typescript and @types/* from the
// registry; npm's cache in that temp dir too), then runs, in that project:
//   tarballs      LICENSE (identical to the root's) and README.md in every tarball
//   esm           `import` of every package and subpath; receiver.handle with a signed request from
//                 @im-callbacks/testing; the Express, Koa and Fastify adapters answering over HTTP;
//                 @im-callbacks/opentelemetry subscribed to the core's tracing channel;
//                 @im-callbacks/inspector recording a callback and serving its page and list
//   cjs           the same through `require`
//   bin           the command line as `npx -p @im-callbacks/testing im-callbacks` runs it: --help, list,
//                 the im-callbacks-send alias, and doctor against an Express app of the installed adapter
//   types:*       tsc --noEmit on the root and the /adapter and /catalogue subpaths: nodenext (ESM
//                 and CommonJS files) and module esnext + moduleResolution bundler
//   types:dual    one nodenext program loading @im-callbacks/fastify from a CommonJS file and from an
//                 ESM file, both using app.imCallbacks (the dual-package hazard for declarations)
// Fixtures: scripts/.pack-check/. Exits 1 if any check fails. PACK_CHECK_KEEP=1 keeps the temp dir.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// A dot directory: the root tsconfig.json includes scripts/, and its wildcard skips dot directories;
// these files import packages only the scratch project has (and need its "type": "module").
const fixtures = join(root, 'scripts', '.pack-check');
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

/** Runs a command; resolves with its exit code and combined output (never rejects). */
function run(command, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => resolvePromise({ code: 127, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) =>
      resolvePromise({ code: code ?? 128, output: signal ? `${output}killed by ${signal}\n` : output }),
    );
  });
}

// pnpm: the one running this script (`pnpm pack:check`), else the version packageManager names.
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const execPath = process.env.npm_execpath ?? '';
const pnpm = /pnpm/.test(execPath)
  ? [process.execPath, execPath]
  : ['npx', '--yes', `pnpm@${rootPackage.packageManager.split('@')[1]}`];

// npm for the scratch project, without the npm_* variables pnpm sets for this script's process.
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      !/^(npm_(command|execpath|node_execpath|lifecycle_.*|package_.*|config_user_agent|config_verify_deps_before_run)|pnpm_.*)$/i.test(
        name,
      ),
  ),
);

const packages = readdirSync(join(root, 'packages'))
  .map((folder) => join(root, 'packages', folder))
  .filter((folder) => existsSync(join(folder, 'package.json')))
  .map((folder) => ({ folder, manifest: JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

const temp = mkdtempSync(join(tmpdir(), 'im-callbacks-pack-check-'));
if (!relative(root, temp).startsWith('..')) throw new Error(`temp dir ${temp} is inside the workspace ${root}`);
const project = join(temp, 'project');
const results = [];

function report(name, ok, since, output = '') {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name} (${seconds(since)})`);
  if (!ok || process.env.PACK_CHECK_VERBOSE) console.log(output.trimEnd().replace(/^/gm, '      '));
}

try {
  // 1. Pack.
  let since = Date.now();
  const tarballs = await Promise.all(
    packages.map(async ({ folder, manifest }) => {
      if (!existsSync(join(folder, 'dist'))) throw new Error(`${manifest.name} has no dist/: run pnpm build first`);
      const destination = join(temp, 'tarballs', manifest.name.replace(/^@/, '').replace('/', '-'));
      mkdirSync(destination, { recursive: true });
      const packed = await run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', destination], { cwd: folder });
      const files = existsSync(destination) ? readdirSync(destination).filter((file) => file.endsWith('.tgz')) : [];
      if (packed.code !== 0 || files.length !== 1) {
        throw new Error(`pnpm pack failed for ${manifest.name}:\n${packed.output}`);
      }
      return { name: manifest.name, version: manifest.version, tarball: join(destination, files[0]) };
    }),
  );
  console.log(`packed ${tarballs.map(({ name, version }) => `${name}@${version}`).join(', ')} (${seconds(since)})`);

  // 2. Tarball contents: LICENSE (the root's) and README.md in each.
  since = Date.now();
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const contents = [];
  for (const { name, tarball } of tarballs) {
    const unpacked = join(temp, 'unpacked', name);
    mkdirSync(unpacked, { recursive: true });
    const untar = await run('tar', ['-xzf', tarball, '-C', unpacked]);
    const file = join(unpacked, 'package', 'LICENSE');
    if (untar.code !== 0) contents.push(`${name}: tar failed: ${untar.output}`);
    else if (!existsSync(file)) contents.push(`${name}: no LICENSE in the tarball`);
    else if (readFileSync(file, 'utf8') !== license) contents.push(`${name}: LICENSE differs from the root LICENSE`);
    if (!existsSync(join(unpacked, 'package', 'README.md'))) contents.push(`${name}: no README.md in the tarball`);
  }
  report('tarballs: LICENSE and README.md in every package', contents.length === 0, since, contents.join('\n'));

  // 3. The scratch project: the fixtures, the tarballs as dependencies, npm install.
  since = Date.now();
  cpSync(fixtures, project, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  for (const { name, tarball } of tarballs) {
    manifest.dependencies[name] = `file:${tarball}`;
    // Every dependent (the adapters depend on core) gets this tarball too, never the registry's.
    manifest.overrides = { ...manifest.overrides, [name]: `$${name}` };
  }
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', '--cache', join(temp, 'npm-cache')],
    { cwd: project, env: npmEnv },
  );
  const nested = tarballs.flatMap(({ name }) =>
    tarballs
      .map((dependency) => join(project, 'node_modules', name, 'node_modules', dependency.name))
      .filter((path) => existsSync(path)),
  );
  const installed = install.code === 0 && nested.length === 0;
  report(
    'install: npm install of the tarballs and the frameworks in a scratch project',
    installed,
    since,
    install.code === 0 ? `a second copy of a package was installed: ${nested.join(', ')}` : install.output,
  );
  if (!installed) throw new Error('the scratch project did not install; nothing else can run');

  // 4. The smoke tests: the runtime ones one after the other (they start servers), the type checks
  // alongside, two at a time (each tsc takes a core and ~400 MB).
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  const check = (name, ...args) => ({ name, args });
  const runtime = [
    check('esm: import, receiver.handle, Express/Koa/Fastify over HTTP', 'smoke/esm.mjs'),
    check('cjs: require, receiver.handle, Express/Koa/Fastify over HTTP', 'smoke/cjs.cjs'),
    check('bin: npx -p @im-callbacks/testing im-callbacks --help, list, the send alias, doctor', 'smoke/bin.mjs'),
  ];
  const types = [
    check('types:nodenext (ESM file): root, /adapter, /catalogue, adapters', tsc, '-p', 'tsconfig.nodenext.json'),
    check(
      'types:nodenext (CommonJS file): root, /adapter, /catalogue, adapters',
      tsc,
      '-p',
      'tsconfig.nodenext-cjs.json',
    ),
    check('types:bundler (module esnext): root, /adapter, /catalogue, adapters', tsc, '-p', 'tsconfig.bundler.json'),
    check(
      'types:dual: @im-callbacks/fastify from a .cts and a .mts in one program (tsc exits 0)',
      tsc,
      '-p',
      'tsconfig.dual.json',
    ),
  ];
  const timed = async ({ args }) => {
    const checkSince = Date.now();
    const { code, output } = await run(process.execPath, args, { cwd: project });
    return { ok: code === 0, output, took: Date.now() - checkSince };
  };
  async function inPool(list, width) {
    const outcomes = new Array(list.length);
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const index = next++;
        outcomes[index] = await timed(list[index]);
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
    return outcomes;
  }
  const [runtimeOutcomes, typeOutcomes] = await Promise.all([inPool(runtime, 1), inPool(types, 2)]);
  for (const [index, { name }] of [...runtime, ...types].entries()) {
    const { ok, output, took } = [...runtimeOutcomes, ...typeOutcomes][index];
    report(name, ok, Date.now() - took, output);
  }
} catch (error) {
  results.push({ name: 'pack check', ok: false });
  console.log(`FAIL  ${error instanceof Error ? error.message : error}`);
} finally {
  if (process.env.PACK_CHECK_KEEP) console.log(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}

const failed = results.filter(({ ok }) => !ok);
console.log(
  failed.length === 0
    ? `\npack check: all ${results.length} checks passed (${seconds(started)})`
    : `\npack check: ${failed.length} of ${results.length} checks FAILED (${seconds(started)}):\n${failed.map(({ name }) => `  - ${name}`).join('\n')}`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
