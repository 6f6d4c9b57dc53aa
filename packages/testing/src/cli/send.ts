/**
 * `im-callbacks send` (and its alias `im-callbacks-send`, bin/im-callbacks-send.mjs): fires realistic,
 * signed callbacks at a URL, the way the IM backend does.
 *
 *   im-callbacks send <url> [command...] --sdkappid <id> [--token <token>] [--payload <file>]
 *   im-callbacks send <url> --all --sdkappid <id> [--token <token>]
 *   im-callbacks send --list
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { commandList } from '@im-callbacks/core';
import { send as sendOne } from '../request.js';
import { samples } from '../samples.js';
import { defaultIo, type Io, type Subcommand } from './io.js';
import { list } from './list.js';

export type { Io } from './io.js';

export const usage = `Usage:
  im-callbacks send <url> [command...] --sdkappid <id> [--token <token>] [--payload <file.json>]
  im-callbacks send <url> --all --sdkappid <id> [--token <token>]
  im-callbacks send --list
  (im-callbacks-send is the same command)

Sends each command's sample body (or --payload) to <url>, signed with --token when given, and
prints the status and the reply. Exits 1 when a reply is not 200, 2 on a usage error.

Options:
  --sdkappid <id>     the SdkAppid to send (also IM_SDKAPPID)
  --token <token>     sign with this callback token (also IM_CALLBACK_TOKEN)
  --payload <file>    send this JSON file's content instead of the sample (one command only)
  --all               send every command of the catalogue
  --content-type <t>  send this Content-Type header (default: none, as Tencent does not promise one)
  --list              list the commands and exit
  --help              this text`;

/** Runs `im-callbacks send`; resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const known = commandList.map((spec) => spec.command);
  if (values.list) return list.run([], io);
  const [url, ...commands] = positionals;
  const sdkAppId = values.sdkappid ?? io.env.IM_SDKAPPID;
  const token = values.token ?? (io.env.IM_CALLBACK_TOKEN || undefined);
  const selected = values.all ? known : commands;
  const problem =
    url === undefined || !/^https?:\/\//.test(url)
      ? 'a URL (http:// or https://) is required'
      : sdkAppId === undefined
        ? '--sdkappid (or IM_SDKAPPID) is required'
        : selected.length === 0
          ? 'name at least one command, or --all'
          : values.payload !== undefined && selected.length !== 1
            ? '--payload goes with exactly one command'
            : undefined;
  if (problem !== undefined) {
    io.err(`${problem}\n\n${usage}`);
    return 2;
  }

  let payload: unknown;
  if (values.payload !== undefined) {
    try {
      payload = JSON.parse(await readFile(values.payload, 'utf8'));
    } catch (error) {
      io.err(`cannot read --payload ${values.payload}: ${(error as Error).message}`);
      return 2;
    }
  }
  let failures = 0;
  for (const command of selected) {
    const body = payload ?? (samples as Record<string, unknown>)[command] ?? { CallbackCommand: command };
    const headers = values['content-type'] ? { 'content-type': values['content-type'] } : undefined;
    try {
      const result = await sendOne(url as string, command, body, { sdkAppId: sdkAppId as string, token, headers });
      if (result.status !== 200) failures++;
      io.out(`${result.status} ${command} ${result.text}`);
    } catch (error) {
      failures++;
      io.out(`--- ${command} ${(error as Error).message}`);
    }
  }
  return failures === 0 ? 0 : 1;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      sdkappid: { type: 'string' },
      token: { type: 'string' },
      payload: { type: 'string' },
      all: { type: 'boolean' },
      'content-type': { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export const send: Subcommand = {
  name: 'send',
  summary: 'send signed sample callbacks to a URL, as the IM backend does',
  usage,
  run: (argv, io) => main(argv, io),
};
