/**
 * Owns reading recorded callbacks for `replay` and `fixtures`: the NDJSON file of
 * `@im-callbacks/inspector` (one record a line), or a running inspector's API (`<url>/api/callbacks`,
 * then each record's detail), and selecting them (`--command`, `--since`). Also owns the fixture a
 * record becomes (the shape the inspector page's "save as a test fixture" downloads).
 */
import { readFile } from 'node:fs/promises';

/** The fields of an inspector record these commands read. */
export interface Recording {
  id?: number;
  time: string;
  command?: string;
  sdkAppId?: number;
  requestId?: string;
  /** Query parameters by original name (`Sign` redacted). */
  query?: Record<string, string>;
  body?: string;
  status?: number;
  answer?: string;
  code?: string;
}

import { type Io, usageError } from './io.js';

export { defaultIo, type Io } from './io.js';

/** A usage error: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/** What `replay` and `fixtures` do with an error: a usage error (theirs or `parseArgs`') exits 2 with the usage; anything else is thrown on. */
export function usageExit(error: unknown, io: Io, usage: string): number {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return usageError(io, (error as Error).message, usage);
  }
  throw error;
}

function isRecording(value: unknown): value is Recording {
  return typeof value === 'object' && value !== null && typeof (value as Recording).time === 'string';
}

/** Records from an NDJSON file (blank lines skipped; a line that is not a record is an error naming it). */
export async function readNdjson(path: string): Promise<Recording[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const records: Recording[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${index + 1} is not JSON`);
    }
    if (!isRecording(value)) throw new UsageError(`${path}:${index + 1} is not a recorded callback (no time)`);
    records.push(value);
  }
  return records;
}

/** Records from a running inspector (`Authorization: Bearer <token>` when given). */
export async function readInspector(url: string, token: string | undefined): Promise<Recording[]> {
  const base = url.endsWith('/') ? url : `${url}/`;
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(new URL(path, base), { headers });
    if (!response.ok)
      throw new UsageError(`${new URL(path, base)} answered ${response.status}: ${(await response.text()).trim()}`);
    return response.json();
  };
  const list = (await get('api/callbacks')) as { id: number }[];
  const records: Recording[] = [];
  for (const { id } of list) {
    const detail = await get(`api/callbacks/${id}`).catch(() => undefined); // dropped from the buffer since
    if (isRecording(detail)) records.push(detail);
  }
  return records;
}

/** From a path or an inspector URL. */
export function readRecordings(source: string, token: string | undefined): Promise<Recording[]> {
  return /^https?:\/\//.test(source) ? readInspector(source, token) : readNdjson(source);
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO date/time, or a duration back from now (`30s`, `15m`, `2h`, `7d`). */
export function parseSince(value: string, now = Date.now()): number {
  const relative = value.match(/^(\d+)([smhd])$/);
  if (relative) return now - Number(relative[1]) * (UNITS[relative[2] as string] as number);
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(`--since ${value}: give an ISO time (2026-05-01T10:00:00Z) or a duration (15m, 2h, 7d)`);
  return time;
}

/** Records with a command and a body, of the given commands, since the given time. */
export function selectRecordings(
  records: readonly Recording[],
  commands: readonly string[],
  since: number | undefined,
): Recording[] {
  return records.filter(
    (record) =>
      record.command !== undefined &&
      record.body !== undefined &&
      (commands.length === 0 || commands.includes(record.command)) &&
      (since === undefined || Date.parse(record.time) >= since),
  );
}

/** The options of every command that reads recordings (`parseArgs` form); each adds its own. */
export const RECORDING_OPTIONS = {
  command: { type: 'string', multiple: true },
  since: { type: 'string' },
  'inspector-token': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The one positional such a command takes: an NDJSON file or an inspector URL. */
export function oneSource(positionals: readonly string[]): string {
  const [source, ...rest] = positionals;
  if (source === undefined || rest.length > 0) throw new UsageError('give one NDJSON file or inspector URL');
  return source;
}

/** The recordings `source` holds, chosen by `--command` and `--since`, read with `--inspector-token`. */
export async function chosenRecordings(
  source: string,
  values: { command?: string[] | undefined; since?: string | undefined; 'inspector-token'?: string | undefined },
  io: Io,
): Promise<Recording[]> {
  const since = values.since === undefined ? undefined : parseSince(values.since);
  const inspectorToken = values['inspector-token'] ?? (io.env.IM_INSPECTOR_TOKEN || undefined);
  return selectRecordings(await readRecordings(source, inspectorToken), values.command ?? [], since);
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A test fixture: what `invoke(receiver, fixture.command, fixture.payload, fixture.context)` needs, and the answer recorded. */
export interface Fixture {
  command: string;
  payload: unknown;
  context: { requestId?: string; sdkAppId?: number; clientIp?: string; optPlatform?: string };
  recorded: { time: string; status?: number; reply?: unknown; code?: string };
}

/** The fixture of a record; undefined when its body is not a JSON object (nothing to invoke). */
export function fixtureOf(record: Recording): Fixture | undefined {
  const payload = parse(record.body);
  if (record.command === undefined || typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return undefined;
  const context: Fixture['context'] = {};
  if (record.requestId !== undefined) context.requestId = record.requestId;
  if (record.sdkAppId !== undefined) context.sdkAppId = record.sdkAppId;
  if (record.query?.ClientIP !== undefined) context.clientIp = record.query.ClientIP;
  if (record.query?.OptPlatform !== undefined) context.optPlatform = record.query.OptPlatform;
  const recorded: Fixture['recorded'] = { time: record.time };
  if (record.status !== undefined) recorded.status = record.status;
  if (record.answer !== undefined) recorded.reply = parse(record.answer) ?? record.answer;
  if (record.code !== undefined) recorded.code = record.code;
  return { command: record.command, payload, context, recorded };
}
