/**
 * `im-callbacks list`: the commands of the catalogue, one a line: name, kind (before or after) and
 * what it is. `--before` or `--after` keeps one kind.
 */
import { parseArgs } from 'node:util';
import { commandList } from '@im-callbacks/core';
import { EXIT_OK, type Io, type Subcommand, usageError } from './io.js';

const usage = `Usage: im-callbacks list [--before | --after]

Lists the callback commands of the catalogue: name, kind and what each one is.

Options:
  --before    only before-callbacks (the IM backend waits for a decision)
  --after     only after-callbacks (notifications, acknowledged)
  -h, --help  this text`;

async function run(argv: readonly string[], io: Io): Promise<number> {
  let values: { before?: boolean; after?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { before: { type: 'boolean' }, after: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return usageError(io, (error as Error).message, usage);
  }
  if (values.help) {
    io.out(usage);
    return EXIT_OK;
  }
  for (const spec of commandList) {
    const kind = spec.form === 'ack' ? 'after' : 'before';
    if ((values.before && kind !== 'before') || (values.after && kind !== 'after')) continue;
    io.out(`${spec.command.padEnd(58)} ${kind.padEnd(6)} ${spec.summary}`);
  }
  return EXIT_OK;
}

export const list: Subcommand = { name: 'list', summary: 'list the callback commands of the catalogue', usage, run };
