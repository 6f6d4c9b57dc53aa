/**
 * `im-callbacks fixtures`: turns recorded callbacks (an inspector's NDJSON file or its URL) into
 * test fixtures, one JSON file each, ready for `invoke(receiver, f.command, f.payload, f.context)`
 * and a comparison with `f.recorded.reply`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Subcommand } from './io.js';
import {
  chosenRecordings,
  defaultIo,
  fixtureOf,
  type Io,
  oneSource,
  RECORDING_OPTIONS,
  UsageError,
  usageExit,
} from './recordings.js';

export const usage = `Usage:
  im-callbacks fixtures <file.ndjson | inspector-url> --out <dir> [--command <c>...] [--since <time>]

Writes one JSON file per recorded callback with a JSON body into <dir>: { command, payload, context,
recorded: { time, status, reply, code } }, for invoke() in a test. Exits 2 on a usage error.

Options:
  --out <dir>             where to write them (created if needed)
  --command <c>           only this command (repeatable)
  --since <time>          only callbacks received since: an ISO time, or 30s, 15m, 2h, 7d ago
  --inspector-token <t>   the inspector's token, when reading from its URL (also IM_INSPECTOR_TOKEN)
  --help                  this text`;

/** A file name from what the record is: time, command, request id (or index), nothing a shell minds. */
function fileName(time: string, command: string, key: string): string {
  const safe = (text: string) => text.replace(/[^\w.-]+/g, '_').slice(0, 80);
  return `${safe(time.replace(/[:.]/g, '-'))}-${safe(command)}-${safe(key)}.json`;
}

/** Runs `im-callbacks fixtures`; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ...RECORDING_OPTIONS, out: { type: 'string' } },
    });
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const source = oneSource(positionals);
    if (values.out === undefined) throw new UsageError('--out <dir> is required');
    const records = await chosenRecordings(source, values, io);
    await mkdir(values.out, { recursive: true });
    let written = 0;
    for (const [index, record] of records.entries()) {
      const fixture = fixtureOf(record);
      if (fixture === undefined) continue;
      const name = fileName(record.time, fixture.command, record.requestId ?? String(record.id ?? index + 1));
      await writeFile(join(values.out, name), `${JSON.stringify(fixture, null, 2)}\n`);
      io.out(join(values.out, name));
      written++;
    }
    io.err(`${written} fixture${written === 1 ? '' : 's'} written to ${values.out}`);
    return 0;
  } catch (error) {
    return usageExit(error, io, usage);
  }
}

/** `im-callbacks fixtures`. */
export const fixtures: Subcommand = {
  name: 'fixtures',
  summary: 'write recorded callbacks as JSON fixtures for invoke() in tests',
  usage,
  run,
};
