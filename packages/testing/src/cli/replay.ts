/**
 * `im-callbacks replay`: sends recorded callbacks (an inspector's NDJSON file or its URL) to an
 * endpoint again, as the IM backend would: each body verbatim, re-signed with the given token and
 * the current time, with the recorded `ClientIP`, `OptPlatform`, `RequestID` and other parameters;
 * prints the recorded answer beside the new one.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { send } from '../request.js';
import type { Subcommand } from './io.js';
import {
  chosenRecordings,
  defaultIo,
  type Io,
  oneSource,
  RECORDING_OPTIONS,
  type Recording,
  UsageError,
  usageExit,
} from './recordings.js';

export const usage = `Usage:
  im-callbacks replay <file.ndjson | inspector-url> --to <url> --sdkappid <id> [--token <t>]
                      [--command <c>...] [--since <time>] [--fresh-id] [--expect-same]

Sends each recorded callback to --to again, re-signed with --token and the current time, and prints
the recorded answer beside the new one. Exits 1 when a request fails (or, with --expect-same, when an
answer differs), 2 on a usage error.

Options:
  --to <url>              where to send them
  --sdkappid <id>         the SdkAppid to send (also IM_SDKAPPID)
  --token <token>         sign with this callback token (also IM_CALLBACK_TOKEN)
  --command <c>           only this command (repeatable)
  --since <time>          only callbacks received since: an ISO time, or 30s, 15m, 2h, 7d ago
  --fresh-id              give each a new RequestID (a de-duplication store would skip the recorded one)
  --expect-same           exit 1 when a new answer differs from the recorded one (status or JSON)
  --inspector-token <t>   the inspector's token, when reading from its URL (also IM_INSPECTOR_TOKEN)
  --help                  this text`;

/** Parameters `buildRequest` computes, or that the options carry: not copied from the recording. */
const COMPUTED = new Set([
  'sdkappid',
  'callbackcommand',
  'contenttype',
  'requesttime',
  'sign',
  'clientip',
  'optplatform',
]);

function sameJson(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}

function queryOf(record: Recording, freshId: boolean) {
  const extraQuery: Record<string, string> = {};
  let clientIp: string | null = null;
  let optPlatform: string | null = null;
  let requestId: string | undefined;
  for (const [name, value] of Object.entries(record.query ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'clientip') clientIp = value;
    else if (lower === 'optplatform') optPlatform = value;
    else if (lower === 'requestid') requestId = name;
    if (!COMPUTED.has(lower)) extraQuery[name] = value;
  }
  if (freshId) extraQuery[requestId ?? 'RequestID'] = `replay-${randomUUID()}`;
  return { extraQuery, clientIp, optPlatform };
}

/** Runs `im-callbacks replay`; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        ...RECORDING_OPTIONS,
        to: { type: 'string' },
        sdkappid: { type: 'string' },
        token: { type: 'string' },
        'fresh-id': { type: 'boolean' },
        'expect-same': { type: 'boolean' },
      },
    });
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const sdkAppId = values.sdkappid ?? io.env.IM_SDKAPPID;
    const token = values.token ?? (io.env.IM_CALLBACK_TOKEN || undefined);
    const source = oneSource(positionals);
    if (values.to === undefined || !/^https?:\/\//.test(values.to))
      throw new UsageError('--to <url> (http:// or https://) is required');
    if (sdkAppId === undefined) throw new UsageError('--sdkappid (or IM_SDKAPPID) is required');
    const records = await chosenRecordings(source, values, io);
    if (records.length === 0) {
      io.err('no recorded callback matches');
      return 0;
    }
    let failures = 0;
    let different = 0;
    for (const record of records) {
      const command = record.command as string;
      const { extraQuery, clientIp, optPlatform } = queryOf(record, values['fresh-id'] === true);
      io.out(`${record.time} ${command}${record.requestId === undefined ? '' : ` ${record.requestId}`}`);
      io.out(`  recorded ${record.status ?? '---'} ${record.answer ?? ''}`);
      try {
        const result = await send(values.to, command, record.body as string, {
          sdkAppId,
          token,
          clientIp,
          optPlatform,
          extraQuery,
        });
        const same = result.status === record.status && sameJson(record.answer, result.text);
        if (!same) different++;
        io.out(`  now      ${result.status} ${result.text}  ${same ? 'same' : 'DIFFERENT'}`);
      } catch (error) {
        failures++;
        io.out(`  now      --- ${(error as Error).message}`);
      }
    }
    io.out(`${records.length} replayed, ${different} answered differently${failures ? `, ${failures} failed` : ''}`);
    return failures > 0 || (values['expect-same'] === true && different > 0) ? 1 : 0;
  } catch (error) {
    return usageExit(error, io, usage);
  }
}

/** `im-callbacks replay`. */
export const replay: Subcommand = {
  name: 'replay',
  summary: "send recorded callbacks (an inspector's file or URL) to an endpoint again, re-signed",
  usage,
  run,
};
