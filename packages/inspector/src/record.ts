/**
 * Owns what one recorded callback is (`CallbackRecord`, the line of the NDJSON file and the row of
 * the page) and what is derived from one: the record built from a finished trace context, the
 * fields of its body the catalogue does not know, a `curl` that re-signs it, and a test fixture.
 * The `Sign` is already redacted by the core (the context's `query` getter); the callback token is
 * never known here.
 */
import type { CallbackKind, CallbackTraceContext } from '@im-callbacks/core';
import { commandSpec, isKnownCommand } from '@im-callbacks/core/catalogue';

/** One valibot issue, reduced to what a person reads: where and what. */
export interface RecordedIssue {
  readonly path: string;
  readonly message: string;
}

/** One callback as recorded: the NDJSON line, the page's row and detail. */
export interface CallbackRecord {
  /** Sequence number in this process (the page's and the API's id). */
  id: number;
  /** When it arrived, ISO 8601. */
  time: string;
  command?: string | undefined;
  kind?: CallbackKind | undefined;
  sdkAppId?: number | undefined;
  requestId?: string | undefined;
  /** The query parameters, `Sign` redacted (none for a callback run with `dispatch`: a queue worker, a replay). */
  query?: Record<string, string> | undefined;
  /** The body text as received. */
  body?: string | undefined;
  /** The HTTP status answered. */
  status?: number | undefined;
  /** The answer's JSON text. */
  answer?: string | undefined;
  decision?: string | undefined;
  /** The error code, when the callback was refused or failed. */
  code?: string | undefined;
  /** That error's short message (never a stack, a token or a Sign). */
  error?: string | undefined;
  /** `PAYLOAD_INVALID`: what the schema said. */
  issues?: RecordedIssue[] | undefined;
  /** Milliseconds from its arrival to its answer. */
  ms: number;
  /** `dispatch` (a queue worker's job, a replay) rather than an HTTP request. */
  dispatched?: boolean | undefined;
  /** The id of the record this one replays (in-process replay from the page). */
  replayOf?: number | undefined;
}

interface ValibotIssueLike {
  message?: unknown;
  path?: readonly { key?: unknown }[];
}

function issuesOf(error: unknown): RecordedIssue[] | undefined {
  const issues = (error as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return undefined;
  return issues.slice(0, 50).map((issue: ValibotIssueLike) => ({
    path: (issue.path ?? []).map((item) => String(item.key)).join('.'),
    message: String(issue.message ?? ''),
  }));
}

/** The record of a finished callback (its trace context once the answer is known). */
export function recordOf(
  id: number,
  context: CallbackTraceContext,
  ms: number,
  replayOf: number | undefined,
): CallbackRecord {
  // Only the fields that are set (no `delete` after the fact: that would make every record a slow dictionary).
  const record: CallbackRecord = {
    id,
    time: new Date(context.receivedAt ?? Date.now()).toISOString(),
    ms: Math.round(ms * 10) / 10,
  };
  if (context.command !== undefined) record.command = context.command;
  if (context.kind !== undefined) record.kind = context.kind;
  if (context.sdkAppId !== undefined) record.sdkAppId = context.sdkAppId;
  if (context.requestId !== undefined) record.requestId = context.requestId;
  // The getter's object is computed for this context only: kept as it is, not copied.
  const query = context.query as Record<string, string> | undefined;
  if (query !== undefined) record.query = query;
  else record.dispatched = true;
  const body = context.body;
  if (body !== undefined) record.body = body;
  if (context.status !== undefined) record.status = context.status;
  if (context.result !== undefined) record.answer = context.result.body;
  if (context.decision !== undefined) record.decision = context.decision;
  if (context.code !== undefined) {
    record.code = context.code;
    if (context.error !== undefined) record.error = context.error.message;
    if (context.code === 'PAYLOAD_INVALID') record.issues = issuesOf(context.error);
  }
  if (replayOf !== undefined) record.replayOf = replayOf;
  return record;
}

/** An approximate size in bytes, for the memory cap (the strings dominate). */
export function sizeOf(record: CallbackRecord): number {
  let size = 200 + (record.body?.length ?? 0) + (record.answer?.length ?? 0) + (record.error?.length ?? 0);
  if (record.query) for (const [name, value] of Object.entries(record.query)) size += name.length + value.length + 8;
  if (record.issues) for (const issue of record.issues) size += issue.path.length + issue.message.length + 24;
  return size * 2;
}

/** The body parsed, or undefined when it is not JSON. */
export function payloadOf(record: Pick<CallbackRecord, 'body'>): unknown {
  if (record.body === undefined) return undefined;
  try {
    return JSON.parse(record.body);
  } catch {
    return undefined;
  }
}

type SchemaLike = {
  type?: string;
  entries?: Record<string, SchemaLike>;
  wrapped?: SchemaLike;
  item?: SchemaLike;
  options?: SchemaLike[];
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Of a union's options, the object schema knowing most of the value's keys. */
function bestOption(options: SchemaLike[], value: Record<string, unknown>): SchemaLike | undefined {
  let best: SchemaLike | undefined;
  let score = 0;
  for (const option of options) {
    const entries = unwrap(option).entries;
    if (entries === undefined) continue;
    let known = 0;
    for (const key of Object.keys(value)) if (Object.hasOwn(entries, key)) known++;
    if (known > score) {
      best = option;
      score = known;
    }
  }
  return best;
}

function unwrap(schema: SchemaLike): SchemaLike {
  let current = schema;
  while (current.wrapped !== undefined) current = current.wrapped;
  return current;
}

function walk(schema: SchemaLike, value: unknown, path: string, out: string[]): void {
  const current = unwrap(schema);
  if (Array.isArray(value)) {
    const item = current.item;
    if (item !== undefined)
      for (const [index, element] of value.entries()) walk(item, element, `${path}.${index}`, out);
    return;
  }
  if (!isObject(value)) return;
  if (current.entries === undefined) {
    const option = current.options === undefined ? undefined : bestOption(current.options, value);
    if (option !== undefined) walk(option, value, path, out);
    return;
  }
  for (const key of Object.keys(value)) {
    const name = path === '' ? key : `${path}.${key}`;
    const entry = current.entries[key];
    if (entry === undefined) out.push(name);
    else walk(entry, value[key], name, out);
  }
}

/**
 * The paths of the fields of a payload the catalogue does not know (`MsgBody.0.MsgNewField`): kept
 * on the event and never a reason to refuse, but worth seeing. Empty for an unknown command.
 */
export function unknownFields(command: string | undefined, payload: unknown): string[] {
  const spec = command === undefined || !isKnownCommand(command) ? undefined : commandSpec(command);
  if (spec === undefined) return [];
  const out: string[] = [];
  walk(spec.schema as unknown as SchemaLike, payload, '', out);
  return out.slice(0, 200);
}

/** The query parameters the IM backend sends and `buildRequest` computes: a replay does not copy them. */
const COMPUTED = new Set(['sdkappid', 'callbackcommand', 'contenttype', 'requesttime', 'sign']);

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell command that sends the record again, re-signed at run time with a placeholder token
 * (set `TOKEN` and `URL` first): Tencent's Sign is SHA-256 of token and RequestTime.
 */
export function curlOf(record: CallbackRecord): string {
  const params = new URLSearchParams();
  const sdkAppId = record.query?.SdkAppid ?? (record.sdkAppId === undefined ? undefined : String(record.sdkAppId));
  if (sdkAppId !== undefined) params.set('SdkAppid', sdkAppId);
  if (record.command !== undefined) params.set('CallbackCommand', record.command);
  params.set('contenttype', 'json');
  for (const [name, value] of Object.entries(record.query ?? {}))
    if (!COMPUTED.has(name.toLowerCase())) params.set(name, value);
  return [
    `URL="\${URL:-http://127.0.0.1:3000/im/callback}"`,
    `TOKEN="\${TOKEN:-your-callback-token}"`,
    'T=$(date +%s)',
    `SIGN=$(printf '%s%s' "$TOKEN" "$T" | sha256sum | cut -d' ' -f1)`,
    `curl -sS -X POST "$URL?${params.toString()}&RequestTime=$T&Sign=$SIGN" \\\n  --data-binary ${shellQuote(record.body ?? '')}`,
  ].join('\n');
}

/**
 * A test fixture: what `invoke(receiver, fixture.command, fixture.payload, fixture.context)` needs,
 * and the answer recorded (`status`, `reply`). The same shape as `im-callbacks fixtures` writes.
 */
export interface CallbackFixture {
  command: string;
  payload: unknown;
  context: { requestId?: string; sdkAppId?: number; clientIp?: string; optPlatform?: string };
  recorded: { time: string; status?: number; reply?: unknown; code?: string };
}

/** The fixture of a record, or undefined when it has no JSON body or no command (nothing to invoke). */
export function fixtureOf(record: CallbackRecord): CallbackFixture | undefined {
  const payload = payloadOf(record);
  if (record.command === undefined || !isObject(payload)) return undefined;
  const context: CallbackFixture['context'] = {};
  if (record.requestId !== undefined) context.requestId = record.requestId;
  if (record.sdkAppId !== undefined) context.sdkAppId = record.sdkAppId;
  if (record.query?.ClientIP !== undefined) context.clientIp = record.query.ClientIP;
  if (record.query?.OptPlatform !== undefined) context.optPlatform = record.query.OptPlatform;
  const recorded: CallbackFixture['recorded'] = { time: record.time };
  if (record.status !== undefined) recorded.status = record.status;
  if (record.answer !== undefined) recorded.reply = payloadOf({ body: record.answer }) ?? record.answer;
  if (record.code !== undefined) recorded.code = record.code;
  return { command: record.command, payload, context, recorded };
}
