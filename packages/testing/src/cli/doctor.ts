/**
 * `im-callbacks doctor <url>`: checks a deployed callback endpoint the way the IM backend uses it,
 * whatever serves it. By default it sends nothing an application would act on: the console's URL
 * check in its plausible forms (200 with the OK ack expected), requests with a forged Sign, a stale
 * RequestTime and no Sign (401 expected: accepting one means anyone can forge callbacks), another
 * app's SdkAppid (403), a body that is not JSON (a 4xx with a JSON body, never a 5xx), a body over
 * 1 MiB (refused from its declared length, the connection closed, not held), and the time of every
 * answer (p50 and max, over 2 s fails: the IM backend gives up then). `--send` adds signed samples of
 * real commands (for staging), each answer checked against its command's reply shape. One line per
 * check, then a summary; exit 0 when all pass, 1 otherwise, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { commandList } from '@im-callbacks/core';
import { buildRequest, sign } from '../request.js';
import { samples } from '../samples.js';
import { EXIT_FAILED, EXIT_OK, type Io, isHttpUrl, paintFor, type Subcommand, usageError } from './io.js';
import { type ProbeResult, probe, probeOversized } from './probe.js';

const usage = `Usage: im-callbacks doctor <url> --sdkappid <id> [--token <token>] [--send <command...>]

Checks a callback endpoint the way the IM backend uses it: the console's URL check answered 200
with the OK ack; a forged Sign, a stale RequestTime and a missing Sign refused with 401; another
app's SdkAppid refused with 403; a body that is not JSON refused with a 4xx and a JSON body, never a
5xx; a body over 1 MiB refused without holding the connection; every answer within 2 s. By default
nothing is sent that an application would act on.

Options:
  --sdkappid <id>        the app's SDKAppID (also IM_SDKAPPID)
  --token <token>        the console's callback token (also IM_CALLBACK_TOKEN): signs the requests
                         and runs the forged/stale/missing Sign checks
  --send <command...>    also send signed samples of these commands and check each answer's shape
                         (for staging: the app acts on them); \`before\` and \`after\` stand for
                         every before- or after-callback of the catalogue
  --timeout <ms>         how long to wait for each answer (default 10000)
  -h, --help             this text

Exit code: 0 when every check passes, 1 when one fails, 2 on a usage error.`;

/** The IM backend gives up on an answer after this long. */
export const ANSWER_LIMIT_MS = 2000;
/** What an endpoint must refuse: the receivers' default body limit. */
const BODY_LIMIT = 1024 * 1024;
const OK_ACK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
/** The command named in the requests that carry no event (an after-callback: nothing to decide). */
const PROBE_COMMAND = 'State.StateChange';

export interface DoctorOptions {
  readonly url: string;
  readonly sdkAppId: string;
  readonly token?: string | undefined;
  /** Commands whose signed samples to send (already expanded: no `before`/`after`). */
  readonly send?: readonly string[];
  readonly timeoutMs?: number;
}

export interface CheckResult {
  readonly name: string;
  readonly pass: boolean;
  /** The status answered (undefined: none). */
  readonly status: number | undefined;
  /** How long the answer took (undefined for the summary checks). */
  readonly ms: number | undefined;
  /** What to fix (a failure), or a note. */
  readonly detail?: string;
}

export interface DoctorReport {
  readonly checks: readonly CheckResult[];
  readonly p50: number;
  readonly max: number;
  readonly ok: boolean;
}

type Json = Record<string, unknown>;

function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

function isOkAck(text: string): boolean {
  const reply = parseObject(text);
  return reply !== undefined && reply.ActionStatus === 'OK' && reply.ErrorCode === 0;
}

/** The URL with `params` appended to its own query. */
function withQuery(url: string, params: readonly (readonly [string, string])[]): string {
  const query = params.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  if (query === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function signParams(token: string | undefined, time = Math.floor(Date.now() / 1000)): [string, string][] {
  return token === undefined
    ? []
    : [
        ['RequestTime', String(time)],
        ['Sign', sign(token, time)],
      ];
}

function noAnswer(result: ProbeResult): string {
  return `no answer (${result.error ?? 'unknown error'}): is the URL right and the app running?`;
}

/** Why a URL-check form was not answered 200 with the OK ack, and what to do. */
function checkFix(result: ProbeResult, token: string | undefined, form: 'no-sdkappid' | 'no-command' | 'full'): string {
  const status = result.status;
  if (status === undefined) return noAnswer(result);
  if (status === 401)
    return token === undefined
      ? 'the endpoint wants a Sign: run doctor with --token <the callback token from the console>'
      : 'the Sign was refused: is --token the callback token the app is configured with (and its clock right)?';
  if (status === 404 || status === 405)
    return 'nothing takes a POST at this URL: the route (options.path) must be the URL set in the console; a middleware mounted at the root without a path cannot see a check without CallbackCommand';
  if (status === 403 && form === 'no-sdkappid')
    return "refused for its missing SdkAppid: the console's URL check may send none; answer an authenticated request without an event with the OK ack (im-callbacks does)";
  if (status >= 400 && status < 500)
    return "refused: the console's URL check carries no event (no body, maybe no SdkAppid or CallbackCommand); answer it 200 with the OK ack once its Sign is valid";
  if (status >= 500) return 'the endpoint failed (5xx) on a request without an event: answer it 200 with the OK ack';
  return `expected 200 with ${OK_ACK}, got ${status} ${result.text.slice(0, 80)}`;
}

/** Runs the checks against `options.url`. Never rejects: a failure to connect is a failed check. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { url, sdkAppId, token } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const checks: CheckResult[] = [];
  const times: number[] = [];
  /** A probe's check: passed, or why not (`why`, from the status it got; no answer has its own reason). */
  const record = (name: string, result: ProbeResult, pass: boolean, why: (status: number) => string): void => {
    const { status, ms } = result;
    checks.push({
      name,
      pass,
      status,
      ms,
      detail: status === undefined ? noAnswer(result) : pass ? undefined : why(status),
    });
  };
  const post = async (params: [string, string][], body: string | undefined) => {
    const result = await probe({ url: withQuery(url, params), body, timeoutMs });
    if (result.status !== undefined) times.push(result.ms);
    return result;
  };
  const base: [string, string][] = [
    ['SdkAppid', sdkAppId],
    ['CallbackCommand', PROBE_COMMAND],
  ];

  // 1. The console's URL check, in the forms it may take.
  const forms: [string, 'no-sdkappid' | 'no-command' | 'full', [string, string][], string | undefined][] = [
    ['URL check: Sign only, no body', 'no-sdkappid', [], undefined],
    ['URL check: SdkAppid, empty body', 'no-command', [['SdkAppid', sdkAppId]], ''],
    ['URL check: SdkAppid and CallbackCommand, {}', 'full', base, '{}'],
  ];
  for (const [name, form, params, body] of forms) {
    const result = await post([...params, ...signParams(token)], body);
    const pass = result.status === 200 && isOkAck(result.text);
    checks.push({
      name,
      pass,
      status: result.status,
      ms: result.ms,
      detail: pass ? undefined : checkFix(result, token, form),
    });
  }

  // 2. Authentication: what a forger can send.
  const now = Math.floor(Date.now() / 1000);
  const forgeries: [string, [string, string][], string][] = [
    [
      'forged Sign',
      signParams(`${token ?? ''}-forged`, now),
      'anyone can forge callbacks: a request with a wrong Sign was accepted; check Sign = sha256(token + RequestTime) before anything else',
    ],
    [
      'stale RequestTime (10 min old)',
      signParams(token ?? '', now - 600),
      'anyone can replay callbacks: a RequestTime 10 minutes old was accepted; refuse one more than 60 s away from the clock',
    ],
    [
      'missing Sign',
      [],
      'anyone can forge callbacks: a request without a Sign was accepted; configure the app with the callback token from the console (callback authentication)',
    ],
  ];
  for (const [name, params, forged] of token === undefined ? forgeries.slice(2) : forgeries) {
    const result = await post([...base, ...params], '{}');
    const status = result.status;
    const pass = status === 401;
    const detail =
      status === undefined
        ? noAnswer(result)
        : status >= 200 && status < 300
          ? forged
          : pass
            ? token === undefined
              ? 'a Sign is required; run doctor with --token to check forged and stale ones'
              : undefined
            : `expected 401 for a bad Sign, got ${status}: refuse a bad Sign with 401, before anything else`;
    checks.push({ name, pass, status, ms: result.ms, detail });
  }

  // 3. Another app's SdkAppid.
  const otherApp = sdkAppId === '1400000001' ? '1400000002' : '1400000001';
  {
    const result = await post([['SdkAppid', otherApp], ['CallbackCommand', PROBE_COMMAND], ...signParams(token)], '{}');
    record('wrong SdkAppid', result, result.status === 403, (status) =>
      status >= 200 && status < 300
        ? "callbacks for another app are accepted: compare the query's SdkAppid with your SDKAppID and refuse others with 403"
        : `expected 403 for another app's SdkAppid, got ${status}`,
    );
  }

  // 4. A body that is not JSON.
  {
    const result = await post([...base, ...signParams(token)], '{"GroupId":');
    const status = result.status;
    const pass = status !== undefined && status >= 400 && status < 500 && parseObject(result.text) !== undefined;
    record('body not JSON', result, pass, (answered) =>
      answered >= 500
        ? 'a malformed body made the endpoint fail (5xx): parse the body safely and answer 400 with a JSON body'
        : answered < 400
          ? 'a body that is not JSON was accepted: refuse it with 400 and a JSON body'
          : 'refused, but the answer is not JSON: answer every refusal with a JSON body',
    );
  }

  // 5. A body over the limit: refused from its declared length, the connection closed.
  {
    const oversized = await probeOversized(
      withQuery(url, [...base, ...signParams(token)]),
      BODY_LIMIT + 1024,
      64 * 1024,
      Math.min(timeoutMs, 5000),
      3000,
    );
    const status = oversized.status;
    if (status !== undefined) times.push(oversized.ms);
    const refused = status !== undefined && status >= 400 && status < 500;
    const pass = refused && oversized.closed;
    checks.push({
      name: 'body over 1 MiB',
      pass,
      status,
      ms: oversized.ms,
      detail:
        status === undefined
          ? oversized.closed
            ? `the connection was dropped without an answer${oversized.error ? ` (${oversized.error})` : ''}: answer 413 before closing`
            : 'no answer while the body was still arriving: refuse a body over 1 MiB from its Content-Length, before reading it'
          : !refused
            ? `expected a 4xx (413) for a body over 1 MiB, got ${status}`
            : oversized.closed
              ? undefined
              : 'refused, but the connection was held open waiting for the rest of the body: close it (Connection: close) so nobody can stream into a refused request',
    });
  }

  // 6. Signed samples of real commands (opt-in).
  for (const command of options.send ?? []) {
    const payload = (samples as Record<string, unknown>)[command] ?? { CallbackCommand: command };
    const built = buildRequest(command, payload, { sdkAppId, token });
    const result = await probe({
      url: `${url}${url.includes('?') ? '&' : '?'}${built.query}`,
      body: built.body,
      timeoutMs,
    });
    if (result.status !== undefined) times.push(result.ms);
    const spec = commandList.find((candidate) => candidate.command === command);
    const before = spec !== undefined && spec.form !== 'ack';
    const reply = parseObject(result.text);
    const shaped =
      reply !== undefined &&
      reply.ActionStatus === 'OK' &&
      Number.isInteger(reply.ErrorCode) &&
      typeof reply.ErrorInfo === 'string' &&
      (before || reply.ErrorCode === 0);
    record(`send ${command}`, result, result.status === 200 && shaped, (status) =>
      status !== 200
        ? `expected 200, got ${status} ${result.text.slice(0, 100)}`
        : before
          ? 'a before-callback is answered with its decision: {"ActionStatus":"OK","ErrorCode":<0 allow, or the refusal code>,"ErrorInfo":"..."}'
          : `an after-callback is acknowledged with ${OK_ACK}`,
    );
  }

  // 7. The time of every answer.
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
  const max = sorted.length === 0 ? 0 : (sorted.at(-1) as number);
  const timely = sorted.length > 0 && max <= ANSWER_LIMIT_MS;
  checks.push({
    name: `answer times: p50 ${p50} ms, max ${max} ms`,
    pass: timely,
    status: undefined,
    ms: undefined,
    detail: timely
      ? undefined
      : sorted.length === 0
        ? 'no answer at all'
        : `the slowest answer took ${(max / 1000).toFixed(1)} s: the IM backend gives up after 2 s (a before-callback then follows the console's timeout policy); answer first, work later`,
  });
  return { checks, p50, max, ok: checks.every((check) => check.pass) };
}

/** Expands `before` and `after` into the catalogue's commands of that kind; a list may be comma-separated. */
export function expandCommands(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names.flatMap((entry) => entry.split(',')).filter((entry) => entry !== '')) {
    if (name === 'before' || name === 'after') {
      for (const spec of commandList) if ((spec.form === 'ack') === (name === 'after')) out.push(spec.command);
    } else out.push(name);
  }
  return [...new Set(out)];
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  let parsed: { values: Record<string, string | string[] | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        sdkappid: { type: 'string' },
        token: { type: 'string' },
        send: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError(io, (error as Error).message, usage);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(usage);
    return EXIT_OK;
  }
  const [url, ...rest] = positionals;
  const sdkAppId = (values.sdkappid as string | undefined) ?? io.env.IM_SDKAPPID;
  const token = (values.token as string | undefined) ?? (io.env.IM_CALLBACK_TOKEN || undefined);
  const sendNames = values.send as string[] | undefined;
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!isHttpUrl(url)) return usageError(io, 'a URL (http:// or https://) is required', usage);
  if (sdkAppId === undefined || !/^\d+$/.test(sdkAppId.trim()))
    return usageError(io, '--sdkappid (or IM_SDKAPPID) is required: the app’s SDKAppID, a number', usage);
  // `--send a b c`: the words after the URL belong to --send.
  if (rest.length > 0 && sendNames === undefined)
    return usageError(io, `unexpected argument ${rest[0]}: name commands with --send`, usage);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    return usageError(io, '--timeout is a number of milliseconds', usage);
  const send = sendNames === undefined ? [] : expandCommands([...sendNames, ...rest]);
  if (sendNames !== undefined && send.length === 0) return usageError(io, '--send names no command', usage);

  const paint = paintFor(io);
  io.out(
    paint.bold(`im-callbacks doctor ${url}`) +
      paint.dim(` (SdkAppid ${sdkAppId.trim()}${token === undefined ? ', no token' : ', signed'})`),
  );
  const report = await runDoctor({ url, sdkAppId: sdkAppId.trim(), token, send, timeoutMs });
  const width = Math.max(...report.checks.map((check) => check.name.length));
  for (const check of report.checks) {
    const mark = check.pass ? paint.green('PASS') : paint.red('FAIL');
    const status = check.status === undefined ? '   ' : String(check.status);
    const ms = check.ms === undefined ? '' : `${check.ms} ms`;
    const detail = check.detail === undefined ? '' : `  ${check.pass ? paint.dim(check.detail) : check.detail}`;
    io.out(`${mark}  ${check.name.padEnd(width)}  ${status}  ${ms.padStart(8)}${detail}`.trimEnd());
  }
  const failed = report.checks.filter((check) => !check.pass).length;
  const summary = `${report.checks.length - failed} passed, ${failed} failed; answers p50 ${report.p50} ms, max ${report.max} ms (the IM backend waits ${ANSWER_LIMIT_MS / 1000} s)`;
  io.out(failed === 0 ? paint.green(summary) : paint.red(summary));
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

export const doctor: Subcommand = {
  name: 'doctor',
  summary: 'check that an endpoint is safe, fast and answers right',
  usage,
  run,
};
