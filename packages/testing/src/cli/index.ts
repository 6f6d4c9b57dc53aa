/**
 * The `im-callbacks` command line (bin/im-callbacks.mjs runs `main`): a small dispatcher over the
 * subcommands, one module each in this folder. To add one, write its module (a `Subcommand`) and
 * add it to `SUBCOMMANDS`; `--help` lists them from there.
 */
import { doctor } from './doctor.js';
import { fixtures } from './fixtures.js';
import { defaultIo, EXIT_OK, type Io, type Subcommand, usageError } from './io.js';
import { list } from './list.js';
import { replay } from './replay.js';
import { send } from './send.js';

/** Every subcommand, in the order `--help` lists them. */
export const SUBCOMMANDS: readonly Subcommand[] = [send, doctor, list, replay, fixtures];

export function usage(subcommands: readonly Subcommand[] = SUBCOMMANDS): string {
  const width = Math.max(...subcommands.map((command) => command.name.length));
  return `Usage: im-callbacks <command> [options]

Commands:
${subcommands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run \`im-callbacks <command> --help\` for a command's options.

Options:
  -h, --help     this text
  -v, --version  the version`;
}

/** Runs `im-callbacks <argv>`; resolves with the exit code (0 ok, 1 a failure, 2 a usage error). */
export async function main(argv: readonly string[], io: Io = defaultIo, version?: string): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) return usageError(io, 'name a command', usage());
    io.out(usage());
    return EXIT_OK;
  }
  if ((name === '--version' || name === '-v') && version !== undefined) {
    io.out(version);
    return EXIT_OK;
  }
  const command = SUBCOMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) return usageError(io, `unknown command ${name}`, usage());
  return command.run(rest, io);
}
