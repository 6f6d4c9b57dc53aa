#!/usr/bin/env node
// The im-callbacks command line: send, doctor, list. `im-callbacks --help` for usage.
import { readFileSync } from 'node:fs';

// Output piped into a command that stops reading (`| head`) ends the program quietly.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
process.exitCode = await (await load()).imCallbacksCli(process.argv.slice(2), undefined, version);

/** The built package; in the monorepo before `pnpm build`, its TypeScript sources through tsx. */
async function load() {
  try {
    return await import('../dist/index.js');
  } catch (error) {
    const sources = new URL('../src/index.ts', import.meta.url);
    const tsconfig = new URL('../../../tsconfig.json', import.meta.url);
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !exists(sources) || !exists(tsconfig)) throw error;
    // The root tsconfig maps @im-callbacks/* to the packages' sources, so nothing needs building.
    const { register } = await import('tsx/esm/api');
    register({ tsconfig: tsconfig.pathname });
    return import(sources.href);
  }
}

function exists(url) {
  try {
    readFileSync(url);
    return true;
  } catch {
    return false;
  }
}
