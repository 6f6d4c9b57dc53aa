/**
 * Pipeline stage "query": owns reading the callback's query string, the same way for every adapter
 * and the fetch handler (`./url.ts` finds it in a URL and claims requests by it): parsed once,
 * parameter names matched case-insensitively (`SdkAppid`, `SDKAppID`...), then verified before any
 * byte of the body is read. Also owns the one scanner of raw query strings (`scanParameters`),
 * which both parsing and claiming (`hasCallbackCommand`) use: linear in the length of the query.
 */
import { MalformedQueryError, MalformedRequestError, SdkAppIdError, SignatureError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';

/** A raw query string (with or without `?`), URLSearchParams, or an object a framework parsed. */
export type QueryInput = string | URLSearchParams | Readonly<Record<string, unknown>>;

/**
 * The parameters the pipeline reads, spelt as Tencent sends them: the one list every other use
 * (lower-cased names, claiming) derives from. `RequestID` is undocumented
 * (`RequestID` in 2022 captures, `RequestId` in 2021) and not signed.
 */
const SPELLED_NAMES = [
  'SdkAppid',
  'CallbackCommand',
  'contenttype',
  'ClientIP',
  'OptPlatform',
  'Sign',
  'RequestTime',
  'RequestID',
] as const;
type KnownName = Lowercase<(typeof SPELLED_NAMES)[number]>;
const KNOWN_NAMES: readonly KnownName[] = SPELLED_NAMES.map((name) => name.toLowerCase() as KnownName);
const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN_NAMES);
/**
 * The known names as Tencent spells them, to their lower-cased name: looked up before lower-casing
 * (no new string for the IM backend's own spelling). Measured with two other changes: see
 * sign.ts's `given`.
 */
const AS_SPELLED: ReadonlyMap<string, KnownName> = new Map(
  SPELLED_NAMES.map((name, i) => [name, KNOWN_NAMES[i] as KnownName]),
);

/** The parameter naming the command (lower-cased), by which a middleware claims a request. */
export const COMMAND_PARAMETER: KnownName = 'callbackcommand';

/** The known parameters by lower-cased name, and every parameter by its original name. */
export type CallbackQuery = { readonly [K in KnownName]?: string } & {
  /** Every parameter with its original name (first value of a repeated unknown parameter). */
  readonly params: Readonly<Record<string, string>>;
};

function decode(value: string): string {
  if (value.indexOf('%') === -1 && value.indexOf('+') === -1) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new MalformedQueryError('query string is not valid percent-encoding');
  }
}

/** The base name of a bracketed key (`SdkAppid[]`, `SdkAppid[a]`), which frameworks turn into arrays or objects. */
export function bracketBase(key: string): string | undefined {
  const at = key.indexOf('[');
  return at > 0 ? key.slice(0, at).toLowerCase() : undefined;
}

/** Calls `visit` with every name/value pair of the query, names and values decoded. */
function forEachParam<T>(input: QueryInput, visit: (target: T, name: string, value: unknown) => void, target: T): void {
  if (typeof input === 'string') scanString(input, visit, target);
  else if (input instanceof URLSearchParams) {
    for (const [name, value] of input) visit(target, name, value);
  } else {
    for (const name of Object.keys(input)) visit(target, name, input[name]);
  }
}

/** The known parameters, read eagerly; every parameter (`params`) only when asked for. */
class ParsedQuery implements Record<KnownName, string | undefined> {
  sdkappid: string | undefined = undefined;
  callbackcommand: string | undefined = undefined;
  contenttype: string | undefined = undefined;
  clientip: string | undefined = undefined;
  optplatform: string | undefined = undefined;
  sign: string | undefined = undefined;
  requesttime: string | undefined = undefined;
  requestid: string | undefined = undefined;
  readonly #input: QueryInput;
  #params: Record<string, string> | undefined;

  constructor(input: QueryInput) {
    this.#input = input;
  }

  get params(): Readonly<Record<string, string>> {
    if (this.#params === undefined) {
      const params: Record<string, string> = {};
      forEachParam(this.#input, collect, params);
      this.#params = params;
    }
    return this.#params;
  }
}

function collect(params: Record<string, string>, name: string, value: unknown): void {
  if (typeof value === 'string' && !Object.hasOwn(params, name)) params[name] = value;
}

/** A known parameter's lower-cased name, for any spelling (`SdkAppid`, `SDKAPPID`...). */
function knownName(name: string): KnownName | undefined {
  const spelled = AS_SPELLED.get(name);
  if (spelled !== undefined) return spelled;
  const lower = name.toLowerCase();
  return KNOWN_SET.has(lower) ? (lower as KnownName) : undefined;
}

function assignKnown(query: ParsedQuery, name: string, value: unknown): void {
  const known = knownName(name);
  if (known !== undefined) {
    if (typeof value !== 'string') throw new MalformedQueryError(`query parameter ${name} must be a single value`);
    const fields = query as Record<KnownName, string | undefined>;
    if (fields[known] !== undefined) throw new MalformedQueryError(`query parameter ${name} is repeated`);
    fields[known] = value;
    return;
  }
  if (name.indexOf('[') === -1) return;
  const base = bracketBase(name);
  if (base !== undefined && KNOWN_SET.has(base)) {
    throw new MalformedQueryError(`query parameter ${name} must be a single value`);
  }
}

/**
 * The one scanner of raw query strings: calls `visit(context, input, from, eq, end)` for every
 * non-empty `&`-separated parameter, where the name is `input[from, eq)` and the value
 * `input[eq + 1, end)` (`eq === end`: no `=`), until `visit` returns true (then true). A leading `?`
 * is skipped. `visit` is a plain function and `context` its state, so a scan builds no closure.
 *
 * Linear in the length of `input`, whatever it holds: the next `=` is searched for once and reused
 * until the scan passes it (searching from each parameter to the end of the string made 400,000
 * names without `=` cost 1.5 s, before the Sign was checked).
 */
export function scanParameters<C>(
  input: string,
  visit: (context: C, input: string, from: number, eq: number, end: number) => boolean,
  context: C,
): boolean {
  const length = input.length;
  let from = input.charCodeAt(0) === 63 /* ? */ ? 1 : 0;
  // Where the next `=` at or after `from` is (`length`: none left); -1 until searched.
  let nextEq = -1;
  while (from < length) {
    let end = input.indexOf('&', from);
    if (end === -1) end = length;
    if (end > from) {
      if (nextEq < from) {
        nextEq = input.indexOf('=', from);
        if (nextEq === -1) nextEq = length;
      }
      // biome-ignore lint/complexity/useMathMinMax: Math.min here ran 40x slower under jest's VM context (measured), hiding the scan's own cost from its test
      if (visit(context, input, from, nextEq < end ? nextEq : end, end)) return true;
    }
    from = end + 1;
  }
  return false;
}

/** What `scanString` needs at each parameter. */
interface StringScan<T> {
  readonly visit: (target: T, name: string, value: unknown) => void;
  readonly target: T;
  /** No `%` and no `+` in the string (the IM backend's own query): nothing to decode. */
  readonly plain: boolean;
}

function visitParameter<T>(scan: StringScan<T>, input: string, from: number, eq: number, end: number): boolean {
  const name = input.slice(from, eq);
  const value = eq < end ? input.slice(eq + 1, end) : '';
  scan.visit(scan.target, scan.plain ? name : decode(name), scan.plain ? value : decode(value));
  return false;
}

/** A query string in one scan, no intermediate array (this runs for every callback): `visit` gets every name/value pair, decoded. */
function scanString<T>(input: string, visit: (target: T, name: string, value: unknown) => void, target: T): void {
  const plain = input.indexOf('%') === -1 && input.indexOf('+') === -1;
  scanParameters(input, visitParameter, { visit, target, plain });
}

/** Parses the query. Throws `MalformedQueryError` (400) for a known parameter that is repeated, an array or an object. */
export function parseQuery(input: QueryInput): CallbackQuery {
  const query = new ParsedQuery(input);
  if (typeof input === 'string') scanString(input, assignKnown, query);
  else forEachParam(input, assignKnown, query);
  return query;
}

const REQUEST_TIME = /^\d{1,12}$/;

/** What verification learned: the app and the command, for the event. */
export interface VerifiedQuery {
  /** The SDKAppID; undefined when the query has none (then `incomplete` is set). */
  readonly sdkAppId: number | undefined;
  /** The command; undefined when the query has none (then `incomplete` is set). */
  readonly command: string | undefined;
  readonly requestTime: number | undefined;
  /** The undocumented per-request id (`RequestID`), when sent. */
  readonly requestId: string | undefined;
  /**
   * The refusal of a query without `SdkAppid` (403) or without `CallbackCommand` (400), deferred:
   * such a request is refused with it when it carries an event, and is the console's URL check
   * (`./check.ts`) when it carries none.
   */
  readonly incomplete: SdkAppIdError | MalformedRequestError | undefined;
}

/** What a refusal says of the request (built only when one is thrown). */
function refusalContext(query: CallbackQuery): { command: string | undefined; requestId: string | undefined } {
  return { command: query.callbackcommand, requestId: query.requestid };
}

/**
 * Verifies the query in the order of the status table: an SdkAppid that is not ours (403), then Sign
 * and RequestTime when a token is configured (401). A missing SdkAppid or command is not thrown but
 * returned as `incomplete`, the refusal that applies once the body shows an event (the console's
 * URL check may send neither, and carries no event).
 */
export function verifyQuery(query: CallbackQuery, options: ResolvedOptions): VerifiedQuery {
  const sdkAppId = query.sdkappid?.trim();
  const hasSdkAppId = sdkAppId !== undefined && sdkAppId !== '';
  if (hasSdkAppId && !options.sdkAppIds.has(sdkAppId))
    throw new SdkAppIdError('SDKAPPID_MISMATCH', 'SdkAppid is not this app', refusalContext(query));

  let requestTime: number | undefined;
  if (options.tokens.length > 0) {
    const sign = query.sign;
    const time = query.requesttime;
    if (sign === undefined || sign === '')
      throw new SignatureError('SIGN_MISSING', 'Sign is missing', refusalContext(query));
    if (time === undefined || time === '')
      throw new SignatureError('REQUEST_TIME_MISSING', 'RequestTime is missing', refusalContext(query));
    if (!REQUEST_TIME.test(time))
      throw new SignatureError(
        'REQUEST_TIME_INVALID',
        'RequestTime is not a Unix time in seconds',
        refusalContext(query),
      );
    if (!options.signCheck.matches(time, sign))
      throw new SignatureError(
        'SIGN_INVALID',
        'Sign does not match: check that the token option is the callback token set in the IM console',
        refusalContext(query),
      );
    requestTime = Number(time);
    const skew = options.now() / 1000 - requestTime;
    if (Math.abs(skew) > options.requestTimeWindow) {
      throw new SignatureError(
        'REQUEST_TIME_STALE',
        `RequestTime is ${Math.round(Math.abs(skew))} s ${skew > 0 ? 'behind' : 'ahead of'} this server's clock, outside the ${options.requestTimeWindow} s window: check the server clock (NTP), or a replay`,
        refusalContext(query),
      );
    }
  } else if (query.requesttime !== undefined && REQUEST_TIME.test(query.requesttime)) {
    requestTime = Number(query.requesttime);
  }

  const command = query.callbackcommand;
  const hasCommand = command !== undefined && command !== '';
  const incomplete = !hasSdkAppId
    ? new SdkAppIdError('SDKAPPID_MISSING', 'SdkAppid is missing', refusalContext(query))
    : !hasCommand
      ? new MalformedRequestError('COMMAND_MISSING', 'CallbackCommand is missing', refusalContext(query))
      : undefined;
  return {
    sdkAppId: hasSdkAppId ? Number(sdkAppId) : undefined,
    command: hasCommand ? command : undefined,
    requestTime,
    requestId: query.requestid,
    incomplete,
  };
}
