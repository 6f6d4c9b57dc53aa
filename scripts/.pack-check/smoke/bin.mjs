// Smoke test (c): the command line from the installed package, as `npx -p @im-callbacks/testing
// im-callbacks` runs it: `--help` at the root and per subcommand, the `im-callbacks-send` alias, and
// `im-callbacks doctor` against an Express app of the installed adapter (every check passes).
import { spawn } from 'node:child_process';
import { imCallbacks, silentLogger } from '@im-callbacks/express';
import express from 'express';

const SDKAPPID = '1400000000';
const TOKEN = 'pack-check-token';

/** Runs `npx --no-install -p @im-callbacks/testing <bin> ...args` (the installed package, no download). */
function npx(bin, args) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', '-p', '@im-callbacks/testing', bin, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

function expect(what, { code, output }, exitCode, pattern) {
  if (code !== exitCode || !pattern.test(output))
    throw new Error(`${what}: exit ${code} (expected ${exitCode}), output:\n${output}`);
  console.log(`ok  ${what}`);
}

expect(
  'im-callbacks --help',
  await npx('im-callbacks', ['--help']),
  0,
  /Usage: im-callbacks <command>[\s\S]*\n {2}doctor /,
);
expect(
  'im-callbacks doctor --help',
  await npx('im-callbacks', ['doctor', '--help']),
  0,
  /Usage: im-callbacks doctor <url>/,
);
expect(
  'im-callbacks-send --help (the alias)',
  await npx('im-callbacks-send', ['--help']),
  0,
  /im-callbacks send <url>/,
);
expect('im-callbacks list', await npx('im-callbacks', ['list']), 0, /^Group\.CallbackBeforeSendMsg +before /m);
expect('im-callbacks nope', await npx('im-callbacks', ['nope']), 2, /unknown command nope/);

const app = express();
app.use(imCallbacks(SDKAPPID, { token: TOKEN, logger: silentLogger, path: '/im/callback' }));
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
try {
  const url = `http://127.0.0.1:${server.address().port}/im/callback`;
  const doctor = await npx('im-callbacks', ['doctor', url, '--sdkappid', SDKAPPID, '--token', TOKEN]);
  expect('im-callbacks doctor against an Express app', doctor, 0, /\n10 passed, 0 failed; answers p50 \d+ ms/);
} finally {
  server.closeAllConnections();
  server.close();
}
