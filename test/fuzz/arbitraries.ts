/**
 * fast-check arbitraries that build whole callback requests (`{ query, body, expect }`), and the
 * oracle that checks what a receiver did with one. Shared by the HTTP fuzz
 * (test/fuzz/http-fuzz.test.ts, every conformance target) and the in-process fuzz (scripts/fuzz.ts,
 * the built core), so both check exactly the same properties.
 *
 * Every case knows what it is (`expect`): which query faults it carries (SdkAppid, Sign,
 * RequestTime, command), what its body is (the sample, a mutation, invalid JSON, a forbidden key in
 * any spelling...), and the outcomes the status table allows for it. The facts about the body are
 * computed from the bytes actually sent (an independent JSON.parse walk), not from the intent of
 * the generator, so a random mutation that happens to add a `__proto__` key is still expected to
 * be refused.
 *
 * The receivers under test must be configured with `fuzzReceiverOptions(tokenConfigured)`: a fixed
 * clock (so RequestTime windows are deterministic), a small body limit (so oversized bodies are
 * cheap) and, for half the cases, the token.
 */
import { isDeepStrictEqual } from 'node:util';
import { type CommandName, commandList, type ImCallbackErrorCode } from '@im-callbacks/core';
import { computeSign } from '@im-callbacks/core/adapter';
import { sample } from '@im-callbacks/testing';
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Configuration every fuzzed receiver shares
// ---------------------------------------------------------------------------------------------

export const FUZZ_APP = 1400000000;
export const FUZZ_TOKEN = 'fuzz-token-1b7e';
/** The receivers' clock, in Unix seconds. */
export const FUZZ_NOW = 1_700_000_000;
export const FUZZ_WINDOW = 60;
/** Small, so oversized bodies cost little to send; every sample is far below it. */
export const FUZZ_BODY_LIMIT = 16 * 1024;

/** Receiver options (without `logger`) for the app a case is sent to. */
export function fuzzReceiverOptions(tokenConfigured: boolean): {
  sdkAppId: number;
  token: string | undefined;
  bodyLimit: number;
  requestTimeWindow: number;
  now: () => number;
} {
  return {
    sdkAppId: FUZZ_APP,
    token: tokenConfigured ? FUZZ_TOKEN : undefined,
    bodyLimit: FUZZ_BODY_LIMIT,
    requestTimeWindow: FUZZ_WINDOW,
    now: () => FUZZ_NOW * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// The status table
// ---------------------------------------------------------------------------------------------

/** `BODY_TIMEOUT` is new; listed here so this file compiles whether or not core has it yet. */
export type ErrorCode = ImCallbackErrorCode | 'BODY_TIMEOUT';

/** Every status the pipeline may answer with, and the error codes `onError` may get with it. */
export const STATUS_TABLE: Readonly<Record<number, readonly ErrorCode[]>> = {
  200: ['HANDLER_TIMEOUT', 'DECISION_INVALID', 'PAYLOAD_INVALID', 'HANDLER_FAILED'],
  400: [
    'QUERY_MALFORMED',
    'COMMAND_MISSING',
    'COMMAND_MISMATCH',
    'BODY_INVALID_JSON',
    'BODY_FORBIDDEN_KEY',
    'BODY_READ_FAILED',
  ],
  401: ['SIGN_MISSING', 'SIGN_INVALID', 'REQUEST_TIME_MISSING', 'REQUEST_TIME_INVALID', 'REQUEST_TIME_STALE'],
  403: ['SDKAPPID_MISSING', 'SDKAPPID_MISMATCH'],
  405: ['METHOD_NOT_ALLOWED'],
  408: ['BODY_TIMEOUT'],
  413: ['BODY_TOO_LARGE'],
  500: ['HANDLER_FAILED', 'INTERNAL_ERROR', 'BODY_UNAVAILABLE'],
};

export const OK_ACK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';

// ---------------------------------------------------------------------------------------------
// Case shape
// ---------------------------------------------------------------------------------------------

export type AppIdKind = 'right' | 'wrong' | 'missing' | 'empty';
export type AuthKind = 'valid' | 'none' | 'missing-sign' | 'missing-time' | 'invalid-time' | 'invalid-sign' | 'stale';
export type CommandKind = 'known' | 'unknown' | 'missing';
export type BodyKind =
  | 'sample'
  | 'mutated'
  | 'mismatch'
  | 'forbidden'
  | 'invalid-json'
  | 'empty'
  | 'non-object'
  | 'oversized'
  | 'bom'
  | 'bytes';

/** One acceptable outcome: the status, and the error code `onError` gets (none: delivered, or the URL check). */
export interface Outcome {
  readonly status: number;
  readonly code: ErrorCode | undefined;
  /** The console's URL check: 200 OK, nothing delivered, nothing reported. */
  readonly check?: true;
}

export interface CaseExpect {
  /** Send to the app configured with the token (`fuzzReceiverOptions(true)`). */
  readonly tokenConfigured: boolean;
  readonly appId: AppIdKind;
  readonly auth: AuthKind;
  /** Sign and RequestTime would verify against the token at the receivers' clock. */
  readonly signValid: boolean;
  /** A known parameter is repeated or bracketed: 400 QUERY_MALFORMED before anything else. */
  readonly queryMalformed: boolean;
  /** The decoded CallbackCommand of the query (undefined when absent). */
  readonly command: string | undefined;
  readonly commandKind: CommandKind;
  /** The event kind a delivery must have (`after`, `before`, `unknown`). */
  readonly eventKind: 'after' | 'before' | 'unknown' | undefined;
  readonly bodyKind: BodyKind;
  readonly bodyBytes: number;
  readonly oversized: boolean;
  readonly json: 'invalid' | 'object' | 'non-object';
  readonly hasForbiddenKey: boolean;
  readonly bodyCommandMismatch: boolean;
  /** The RequestID query parameter's value, when the case has one. */
  readonly requestId: string | undefined;
  /** The outcomes the status table allows for this case (checked against what happened). */
  readonly outcomes: readonly Outcome[];
}

export interface CallbackCase {
  /** The query string, without `?`. */
  readonly query: string;
  readonly body: string | Buffer;
  /** Content-Type to send over HTTP (none when undefined). */
  readonly contentType: string | undefined;
  readonly expect: CaseExpect;
}

// ---------------------------------------------------------------------------------------------
// Commands, samples, spellings
// ---------------------------------------------------------------------------------------------

export const knownCommands: readonly string[] = commandList.map((spec) => spec.command);
const knownLower = new Set(knownCommands.map((command) => command.toLowerCase()));
const formOf = new Map<string, string>(commandList.map((spec) => [spec.command, spec.form]));

function sampleOf(command: string): Record<string, unknown> {
  return sample(command as CommandName) as unknown as Record<string, unknown>;
}

const SDKAPPID_NAMES = ['SdkAppid', 'SDKAppID', 'sdkappid', 'SDKAPPID', 'SdkAppId', 'sdkAppID'];
const COMMAND_NAMES = ['CallbackCommand', 'callbackcommand', 'CALLBACKCOMMAND', 'callbackCommand'];
const SIGN_NAMES = ['Sign', 'sign', 'SIGN'];
const TIME_NAMES = ['RequestTime', 'requesttime', 'REQUESTTIME', 'requestTime'];
const REQUEST_ID_NAMES = ['RequestID', 'RequestId', 'requestid', 'REQUESTID', 'requestId'];
/**
 * Lower-cased names of the documented parameters the pipeline reads: repeating one is
 * QUERY_MALFORMED. (RequestID is left out: whether repeating it is malformed is not specified.)
 */
const KNOWN_PARAMS = new Set([
  'sdkappid',
  'callbackcommand',
  'contenttype',
  'clientip',
  'optplatform',
  'sign',
  'requesttime',
]);

type Param = readonly [name: string, value: string];

// ---------------------------------------------------------------------------------------------
// Query parts
// ---------------------------------------------------------------------------------------------

interface AppIdPart {
  kind: AppIdKind;
  param: Param | undefined;
}

const appIdArb: fc.Arbitrary<AppIdPart> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.constantFrom(...SDKAPPID_NAMES).map((name) => ({
      kind: 'right' as const,
      param: [name, String(FUZZ_APP)] as const,
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...SDKAPPID_NAMES),
        fc.oneof(
          fc
            .integer({ min: 1, max: 2 ** 40 })
            .filter((n) => n !== FUZZ_APP)
            .map(String),
          fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/),
          fc.constantFrom('1400000001', '140000000', '1400000000x', '-1400000000', '1400000000.5'),
        ),
      )
      .map(([name, value]) => ({ kind: 'wrong' as const, param: [name, value] as const })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const, param: undefined }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...SDKAPPID_NAMES)
      .map((name) => ({ kind: 'empty' as const, param: [name, ''] as const })),
  },
);

interface AuthPart {
  kind: AuthKind;
  time: Param | undefined;
  sign: Param | undefined;
}

const timeName = fc.constantFrom(...TIME_NAMES);
const signName = fc.constantFrom(...SIGN_NAMES);
const validSkew = fc.integer({ min: -FUZZ_WINDOW, max: FUZZ_WINDOW });
const staleSkew = fc.oneof(
  fc.integer({ min: FUZZ_WINDOW + 1, max: 10_000_000 }),
  fc.integer({ min: -10_000_000, max: -(FUZZ_WINDOW + 1) }),
);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

function signed(kind: AuthKind, tName: string, sName: string, time: string, sign: string): AuthPart {
  return { kind, time: [tName, time], sign: [sName, sign] };
}

const authArb: fc.Arbitrary<AuthPart> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(timeName, signName, validSkew)
      .map(([t, s, skew]) =>
        signed('valid', t, s, String(FUZZ_NOW + skew), computeSign(FUZZ_TOKEN, String(FUZZ_NOW + skew))),
      ),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const, time: undefined, sign: undefined }) },
  {
    weight: 1,
    arbitrary: fc.tuple(timeName, signName, validSkew, fc.boolean()).map(([t, s, skew, empty]) => ({
      kind: 'missing-sign' as const,
      time: [t, String(FUZZ_NOW + skew)] as const,
      sign: empty ? ([s, ''] as const) : undefined,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(timeName, signName, fc.boolean()).map(([t, s, empty]) => ({
      kind: 'missing-time' as const,
      time: empty ? ([t, ''] as const) : undefined,
      sign: [s, computeSign(FUZZ_TOKEN, FUZZ_NOW)] as const,
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        timeName,
        signName,
        fc.constantFrom('abc', '1.7e9', '17000x0000', '-1700000000', '+1700000000', '1700000000.0', '0x6553f100'),
      )
      .map(([t, s, time]) => signed('invalid-time', t, s, time, computeSign(FUZZ_TOKEN, time))),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        timeName,
        signName,
        validSkew,
        fc.oneof(fc.constant('other-token'), fc.constant('+1s'), hex64, fc.string({ minLength: 1, maxLength: 80 })),
      )
      .map(([t, s, skew, how]) => {
        const time = String(FUZZ_NOW + skew);
        const sign =
          how === 'other-token'
            ? computeSign('other-token', time)
            : how === '+1s'
              ? computeSign(FUZZ_TOKEN, String(FUZZ_NOW + skew + 1))
              : how;
        return signed('invalid-sign', t, s, time, sign);
      })
      .filter((part) => {
        const sign = part.sign?.[1] ?? '';
        const time = part.time?.[1] ?? '';
        return sign.trim() === sign && sign !== '' && sign.toLowerCase() !== computeSign(FUZZ_TOKEN, time);
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(timeName, signName, staleSkew)
      .map(([t, s, skew]) =>
        signed('stale', t, s, String(FUZZ_NOW + skew), computeSign(FUZZ_TOKEN, String(FUZZ_NOW + skew))),
      ),
  },
);

interface CommandPart {
  kind: CommandKind;
  command: string | undefined;
  param: Param | undefined;
}

const unknownCommandArb = fc
  .oneof(
    fc.stringMatching(/^[A-Z][A-Za-z]{0,7}\.Callback[A-Za-z]{1,16}$/),
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.constantFrom('Group.CallbackFutureEvent', 'Sns.CallbackNew', 'X', '.', 'Group.', '%', '中文.Callback'),
  )
  .filter((command) => command.trim() === command && command !== '' && !knownLower.has(command.toLowerCase()));

const commandArb: fc.Arbitrary<CommandPart> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(fc.constantFrom(...COMMAND_NAMES), fc.constantFrom(...knownCommands))
      .map(([name, command]) => ({
        kind: 'known' as const,
        command,
        param: [name, command] as const,
      })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...COMMAND_NAMES), unknownCommandArb).map(([name, command]) => ({
      kind: 'unknown' as const,
      command,
      param: [name, command] as const,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...COMMAND_NAMES), fc.boolean()).map(([name, empty]) => ({
      kind: 'missing' as const,
      command: empty ? '' : undefined,
      param: empty ? ([name, ''] as const) : undefined,
    })),
  },
);

const requestIdArb: fc.Arbitrary<Param | undefined> = fc.option(
  fc.tuple(
    fc.constantFrom(...REQUEST_ID_NAMES),
    fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), fc.constantFrom('req 1', 'é/&=?#', '中文')),
  ),
  { nil: undefined, freq: 2 },
);

const extraParamsArb: fc.Arbitrary<Param[]> = fc
  .record({
    contenttype: fc.boolean(),
    clientIp: fc.option(fc.constantFrom('127.0.0.1', '10.0.0.8', '::1'), { nil: undefined }),
    optPlatform: fc.option(fc.constantFrom('RESTAPI', 'Web', 'Android', 'iOS', 'Unknown'), { nil: undefined }),
  })
  .map(({ contenttype, clientIp, optPlatform }) => {
    const params: Param[] = [];
    if (contenttype) params.push(['contenttype', 'json']);
    if (clientIp !== undefined) params.push(['ClientIP', clientIp]);
    if (optPlatform !== undefined) params.push(['OptPlatform', optPlatform]);
    return params;
  });

// ---------------------------------------------------------------------------------------------
// Forbidden keys, in every spelling
// ---------------------------------------------------------------------------------------------

/** `key` with the characters `mask` selects written as `\uXXXX` (upper- or lower-case hex). */
export function escapeKey(key: string, mask: readonly (readonly [escape: boolean, upper: boolean])[]): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const [escaped, upper] = mask[i] ?? [false, false];
    const char = key[i] as string;
    if (!escaped) {
      out += char;
      continue;
    }
    const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
    out += `\\u${upper ? hex.toUpperCase() : hex}`;
  }
  return out;
}

/** A JSON string literal (quotes included) spelling `key`, each character escaped or not. */
export function spelledKey(key: string): fc.Arbitrary<string> {
  const mask = fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: key.length, maxLength: key.length });
  return fc
    .oneof(
      { weight: 1, arbitrary: fc.constant(key) },
      {
        weight: 1,
        arbitrary: fc.boolean().map((upper) =>
          escapeKey(
            key,
            [...key].map(() => [true, upper] as const),
          ),
        ),
      },
      { weight: 4, arbitrary: mask.map((m) => escapeKey(key, m)) },
    )
    .map((spelling) => `"${spelling}"`);
}

/** A JSON member (`"key":value`) that carries a forbidden key, as text. */
const forbiddenMemberArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      spelledKey('__proto__'),
      fc.constantFrom('{"polluted":1}', '{}', '{"toString":"x"}', '[]', '1', 'null', '"x"', '{"a":{"polluted":1}}'),
    )
    .map(([key, value]) => `${key}:${value}`),
  fc
    .tuple(spelledKey('constructor'), spelledKey('prototype'), fc.constantFrom('{"polluted":1}', '{}', '{"a":[]}'))
    .map(([ctor, proto, value]) => `${ctor}:{${proto}:${value}}`),
);

type Placement = 'top' | 'object' | 'array';

/** Wraps `member` in `depth` levels of objects/arrays under a key the base object does not have. */
function placeMember(member: string, placement: Placement, wrappers: readonly boolean[]): string {
  if (placement === 'top') return member;
  // Innermost: an object holding the member, inside an array item or an object.
  let value = placement === 'array' ? `[1,{${member}},"x"]` : `{${member}}`;
  for (const asArray of wrappers) value = asArray ? `[{"k":${value}}]` : `{"k":${value}}`;
  return `"fuzz_nested":${value}`;
}

/** The base object's JSON text with a forbidden member inserted at the front. */
function insertMember(baseText: string, member: string): string {
  const rest = baseText.slice(1);
  return rest.startsWith('}') ? `{${member}${rest}` : `{${member},${rest}`;
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

interface BodyPart {
  kind: BodyKind;
  body: string | Buffer;
}

const jsonValueArb = fc.jsonValue({ maxDepth: 3 });

function bodyArb(base: Record<string, unknown>, queryCommand: string | undefined): fc.Arbitrary<BodyPart> {
  const baseText = JSON.stringify(base);
  const keys = Object.keys(base).filter((key) => key !== 'CallbackCommand');
  const asText = (kind: BodyKind) => (body: string | Buffer) => ({ kind, body });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(baseText).map(asText('sample')) },
    {
      weight: 6,
      arbitrary: fc.tuple(fc.nat(), jsonValueArb, fc.nat(9)).map(([index, value, remove]) => {
        const copy: Record<string, unknown> = { ...base };
        if (keys.length > 0) {
          const key = keys[index % keys.length] as string;
          if (remove === 0) delete copy[key];
          else copy[key] = value;
        } else copy.fuzz = value;
        return { kind: 'mutated' as const, body: JSON.stringify(copy) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom(...knownCommands),
          fc.string({ maxLength: 20 }),
          fc.constantFrom<unknown>(null, 1, true, [], {}),
        )
        .filter((other) => other !== queryCommand)
        .map((other) => ({ kind: 'mismatch' as const, body: JSON.stringify({ ...base, CallbackCommand: other }) })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          forbiddenMemberArb,
          fc.constantFrom<Placement>('top', 'object', 'array'),
          fc.array(fc.boolean(), { maxLength: 3 }),
        )
        .map(([member, placement, wrappers]) => ({
          kind: 'forbidden' as const,
          body: insertMember(baseText, placeMember(member, placement, wrappers)),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.nat({ max: Math.max(0, baseText.length - 2) }).map((at) => baseText.slice(0, at + 1)),
          fc.constantFrom(
            `${baseText}}`,
            `${baseText},`,
            `${baseText}x`,
            '{',
            '}',
            "{'a':1}",
            'undefined',
            'NaN',
            '{"a":}',
          ),
          fc.string({ maxLength: 60 }),
        )
        .map(asText('invalid-json')),
    },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t ', '\r\n').map(asText('empty')) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          jsonValueArb.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
          fc.constantFrom<unknown>(null, [], 0, 'x', true, [base]),
        )
        .map((value) => ({ kind: 'non-object' as const, body: JSON.stringify(value) })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 2048 }), fc.boolean()).map(([over, valid]) => {
        const pad = Math.max(0, FUZZ_BODY_LIMIT - Buffer.byteLength(baseText) + over);
        return {
          kind: 'oversized' as const,
          body: valid ? `${baseText}${' '.repeat(pad)}` : 'x'.repeat(FUZZ_BODY_LIMIT + over),
        };
      }),
    },
    { weight: 1, arbitrary: fc.constant(`\uFEFF${baseText}`).map(asText('bom')) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((bytes) => ({ kind: 'bytes' as const, body: Buffer.from(bytes) })),
    },
  );
}

/** The object a body is built from: the command's sample, or for other commands a sample renamed. */
function baseArb(command: CommandPart): fc.Arbitrary<Record<string, unknown>> {
  if (command.kind === 'known') return fc.constant(command.command as string).map(sampleOf);
  const other = fc.constantFrom(...knownCommands).map(sampleOf);
  if (command.kind === 'missing') return other;
  return fc.oneof(
    other.map((base) => ({ ...base, CallbackCommand: command.command })),
    other.map((base) => {
      const { CallbackCommand: _dropped, ...rest } = base;
      return rest;
    }),
    fc.dictionary(fc.string({ maxLength: 10 }), jsonValueArb, { maxKeys: 5 }),
  );
}

// ---------------------------------------------------------------------------------------------
// The oracle: what the bytes are, and what the status table allows
// ---------------------------------------------------------------------------------------------

export interface BodyFacts {
  readonly bytes: number;
  readonly json: 'invalid' | 'object' | 'non-object';
  /** The parsed value (undefined when invalid). */
  readonly value: unknown;
  readonly hasForbiddenKey: boolean;
  /** The body carries no event (empty, whitespace, or `{}`): with a valid Sign, the console's URL check. */
  readonly noEvent: boolean;
}

/** The longest body that can be the URL check (core's `CHECK_BODY_MAX`, pipeline/check.ts). */
const CHECK_BODY_MAX = 64;

/** Any object (at any depth, inside arrays too) with an own `__proto__`, or `constructor` holding an own `prototype`. */
export function containsForbiddenKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    if (Object.hasOwn(node, '__proto__')) return true;
    if (Object.hasOwn(node, 'constructor')) {
      const ctor = (node as Record<string, unknown>).constructor;
      if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) return true;
    }
    for (const key of Object.keys(node)) stack.push((node as Record<string, unknown>)[key]);
  }
  return false;
}

/** What a body is, from its bytes: decoded as UTF-8 (invalid bytes become U+FFFD), one BOM dropped, JSON.parse. */
export function analyseBody(body: string | Buffer): BodyFacts {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const decoded = typeof body === 'string' ? body : body.toString('utf8');
  let text = decoded;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const blank = bytes <= CHECK_BODY_MAX && decoded.trim() === '';
  let value: unknown;
  try {
    if (text.trim() === '') throw new SyntaxError('empty');
    value = JSON.parse(text);
  } catch {
    return { bytes, json: 'invalid', value: undefined, hasForbiddenKey: false, noEvent: blank };
  }
  const json = typeof value === 'object' && value !== null && !Array.isArray(value) ? 'object' : 'non-object';
  const noEvent = bytes <= CHECK_BODY_MAX && json === 'object' && Object.keys(value as object).length === 0;
  return { bytes, json, value, hasForbiddenKey: containsForbiddenKey(value), noEvent };
}

const AUTH_CODE: Readonly<Record<Exclude<AuthKind, 'valid'>, ErrorCode>> = {
  none: 'SIGN_MISSING',
  'missing-sign': 'SIGN_MISSING',
  'missing-time': 'REQUEST_TIME_MISSING',
  'invalid-time': 'REQUEST_TIME_INVALID',
  'invalid-sign': 'SIGN_INVALID',
  stale: 'REQUEST_TIME_STALE',
};

const refused = (status: number, code: ErrorCode): Outcome => ({ status, code });
const DELIVERED: Outcome = { status: 200, code: undefined };
const CHECKED: Outcome = { status: 200, code: undefined, check: true };
const PAYLOAD_INVALID: Outcome = { status: 200, code: 'PAYLOAD_INVALID' };

interface Facts {
  tokenConfigured: boolean;
  queryMalformed: boolean;
  appId: AppIdKind;
  auth: AuthKind;
  command: CommandPart;
  bodyKind: BodyKind;
  body: BodyFacts;
}

/**
 * The outcomes the status table allows, checks in pipeline order: query, a foreign SdkAppid, Sign,
 * then a query without SdkAppid or command (the URL check when the body carries no event, else
 * refused), size, no event (the URL check), JSON, keys, shape, command match, schema.
 */
function expectedOutcomes(facts: Facts): Outcome[] {
  if (facts.queryMalformed) return [refused(400, 'QUERY_MALFORMED')];
  if (facts.appId === 'wrong') return [refused(403, 'SDKAPPID_MISMATCH')];
  if (facts.tokenConfigured && facts.auth !== 'valid') return [refused(401, AUTH_CODE[facts.auth])];
  const incomplete =
    facts.appId === 'missing' || facts.appId === 'empty'
      ? refused(403, 'SDKAPPID_MISSING')
      : facts.command.kind === 'missing'
        ? refused(400, 'COMMAND_MISSING')
        : undefined;
  if (incomplete !== undefined) {
    if (facts.body.noEvent) return [CHECKED];
    // Anything else, a body that does not parse or holds a forbidden key included, is refused for the
    // query. Over the limit and not declared (an in-memory body): the size is checked first.
    if (facts.body.bytes > FUZZ_BODY_LIMIT) return [incomplete, refused(413, 'BODY_TOO_LARGE')];
    return [incomplete];
  }
  if (facts.body.bytes > FUZZ_BODY_LIMIT) return [refused(413, 'BODY_TOO_LARGE')];
  if (facts.body.noEvent) return [CHECKED];
  if (facts.body.json === 'invalid') return [refused(400, 'BODY_INVALID_JSON')];
  if (facts.body.hasForbiddenKey) return [refused(400, 'BODY_FORBIDDEN_KEY')];
  // Valid JSON that is not an object is valid JSON of the wrong shape: a schema failure (200), for any command.
  if (facts.body.json === 'non-object') return [PAYLOAD_INVALID];
  const value = facts.body.value as Record<string, unknown>;
  if (Object.hasOwn(value, 'CallbackCommand') && value.CallbackCommand !== facts.command.command) {
    return [refused(400, 'COMMAND_MISMATCH')];
  }
  if (facts.command.kind === 'unknown') return [DELIVERED];
  // The untouched sample (or the sample after a BOM) must pass its schema; anything else may fail it.
  if (facts.bodyKind === 'sample' || facts.bodyKind === 'bom') return [DELIVERED];
  return [DELIVERED, PAYLOAD_INVALID];
}

function encodeParams(params: readonly Param[]): string {
  return params.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
}

/** Repeats a known parameter (another casing, same or other value), or adds a bracketed one. */
const malformArb: fc.Arbitrary<[number, boolean, boolean, string] | undefined> = fc.oneof(
  { weight: 39, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.nat(),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom('SdkAppid[]', 'CallbackCommand[x]', 'sign[]'),
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// The case arbitrary
// ---------------------------------------------------------------------------------------------

export interface CaseOptions {
  /** Only cases for the app with (true) or without (false) the token; default both. */
  tokenConfigured?: boolean;
}

/** A whole callback request with what the fuzz must know to check the answer. */
export function callbackCase(options: CaseOptions = {}): fc.Arbitrary<CallbackCase> {
  const token = options.tokenConfigured === undefined ? fc.boolean() : fc.constant(options.tokenConfigured);
  return fc
    .record({
      tokenConfigured: token,
      appId: appIdArb,
      auth: authArb,
      command: commandArb,
      requestId: requestIdArb,
      extra: extraParamsArb,
      shuffle: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
      malform: malformArb,
      contentType: fc.option(
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/octet-stream',
        ),
        { nil: undefined, freq: 2 },
      ),
      asBuffer: fc.boolean(),
    })
    .chain((parts) =>
      baseArb(parts.command).chain((base) =>
        bodyArb(base, parts.command.command).map((bodyPart) => buildCase(parts, bodyPart)),
      ),
    );
}

interface Parts {
  tokenConfigured: boolean;
  appId: AppIdPart;
  auth: AuthPart;
  command: CommandPart;
  requestId: Param | undefined;
  extra: Param[];
  shuffle: number | undefined;
  malform: [number, boolean, boolean, string] | undefined;
  contentType: string | undefined;
  asBuffer: boolean;
}

function buildCase(parts: Parts, bodyPart: BodyPart): CallbackCase {
  const params: Param[] = [];
  if (parts.appId.param) params.push(parts.appId.param);
  if (parts.command.param) params.push(parts.command.param);
  params.push(...parts.extra);
  if (parts.auth.time) params.push(parts.auth.time);
  if (parts.auth.sign) params.push(parts.auth.sign);
  if (parts.requestId) params.push(parts.requestId);
  if (parts.shuffle !== undefined && params.length > 1) {
    // A deterministic rotation and swap: the order of the parameters must not matter.
    const at = parts.shuffle % params.length;
    params.push(...params.splice(0, at));
    if (params.length > 2) {
      const i = parts.shuffle % (params.length - 1);
      [params[i], params[i + 1]] = [params[i + 1] as Param, params[i] as Param];
    }
  }
  let queryMalformed = false;
  if (parts.malform !== undefined) {
    const [index, bracket, upper, bracketName] = parts.malform;
    const known = params.filter(([name]) => KNOWN_PARAMS.has(name.toLowerCase()));
    if (bracket || known.length === 0) {
      params.push([bracketName, '1']);
    } else {
      const [name, value] = known[index % known.length] as Param;
      params.push([upper ? name.toUpperCase() : name.toLowerCase(), index % 2 === 0 ? value : `${value}x`]);
    }
    queryMalformed = true;
  }

  const body = parts.asBuffer && typeof bodyPart.body === 'string' ? Buffer.from(bodyPart.body, 'utf8') : bodyPart.body;
  const bodyFacts = analyseBody(body);
  const signValid = parts.auth.kind === 'valid';
  const form = parts.command.kind === 'known' ? formOf.get(parts.command.command as string) : undefined;
  const eventKind =
    parts.command.kind === 'unknown' ? 'unknown' : form === undefined ? undefined : form === 'ack' ? 'after' : 'before';
  const value = bodyFacts.value as Record<string, unknown> | undefined;
  const expect: CaseExpect = {
    tokenConfigured: parts.tokenConfigured,
    appId: parts.appId.kind,
    auth: parts.auth.kind,
    signValid,
    queryMalformed,
    command: parts.command.command,
    commandKind: parts.command.kind,
    eventKind,
    bodyKind: bodyPart.kind,
    bodyBytes: bodyFacts.bytes,
    oversized: bodyFacts.bytes > FUZZ_BODY_LIMIT,
    json: bodyFacts.json,
    hasForbiddenKey: bodyFacts.hasForbiddenKey,
    bodyCommandMismatch:
      bodyFacts.json === 'object' &&
      value !== undefined &&
      Object.hasOwn(value, 'CallbackCommand') &&
      value.CallbackCommand !== parts.command.command,
    requestId: parts.requestId?.[1],
    outcomes: expectedOutcomes({
      tokenConfigured: parts.tokenConfigured,
      queryMalformed,
      appId: parts.appId.kind,
      auth: parts.auth.kind,
      command: parts.command,
      bodyKind: bodyPart.kind,
      body: bodyFacts,
    }),
  };
  return { query: encodeParams(params), body, contentType: parts.contentType, expect };
}

// ---------------------------------------------------------------------------------------------
// Checking what happened
// ---------------------------------------------------------------------------------------------

/** What one case did: the answer, and what the receiver's onAny and onError saw meanwhile. */
export interface Observation {
  readonly status: number;
  readonly body: string;
  readonly deliveries: readonly unknown[];
  readonly errors: readonly unknown[];
}

export class PropertyFailure extends Error {
  constructor(
    readonly property: string,
    detail: string,
  ) {
    super(`${property}: ${detail}`);
    this.name = 'PropertyFailure';
  }
}

/** Compact, readable summary of a case (for failure messages). */
export function describeCase(c: CallbackCase): string {
  const body =
    typeof c.body === 'string'
      ? JSON.stringify(c.body.slice(0, 400))
      : `<Buffer ${c.body.toString('hex').slice(0, 200)}>`;
  const { outcomes, ...facts } = c.expect;
  return [
    `query: ${c.query}`,
    `body (${c.expect.bodyBytes} bytes${c.contentType ? `, ${c.contentType}` : ''}): ${body}`,
    `facts: ${JSON.stringify(facts)}`,
    `allowed: ${outcomes.map((o) => `${o.status} ${o.code ?? 'delivered'}`).join(' | ')}`,
  ].join('\n  ');
}

function describeObservation(o: Observation): string {
  const errors = o.errors.map((e) => {
    const err = e as { code?: unknown; status?: unknown; name?: unknown; message?: unknown };
    return `${String(err.name)}(${String(err.code)}, ${String(err.status)}: ${String(err.message)})`;
  });
  return `status ${o.status}, body ${o.body.slice(0, 300)}, deliveries ${o.deliveries.length}, errors [${errors.join(', ')}]`;
}

interface ErrorLike {
  code: string;
  status: number;
  payload: unknown;
  requestId?: unknown;
}

/**
 * Checks one case's answer against the status table and the case's facts. Throws a
 * `PropertyFailure` naming the violated property. `ErrorClass` is the `ImCallbackError` class of
 * the core under test (the source in jest, the built package in the script).
 */
export function checkCase(
  c: CallbackCase,
  o: Observation,
  ErrorClass: abstract new (...args: never[]) => unknown,
): void {
  const fail = (property: string, detail: string): never => {
    throw new PropertyFailure(property, `${detail}\n  observed: ${describeObservation(o)}\n  ${describeCase(c)}`);
  };
  const e = c.expect;

  // 1. The status is one of the table's.
  const codesForStatus = STATUS_TABLE[o.status];
  if (codesForStatus === undefined || o.status === 405) fail('status in the table', `status ${o.status}`);

  // 2. The body is JSON with an ActionStatus string; FAIL bodies are exactly the documented shape.
  let parsed: unknown;
  try {
    parsed = JSON.parse(o.body);
  } catch {
    fail('JSON answer', 'body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('JSON answer', 'not an object');
  const reply = parsed as Record<string, unknown>;
  if (typeof reply.ActionStatus !== 'string') fail('JSON answer', 'no ActionStatus string');

  // 3. Every error is an ImCallbackError whose code belongs to its status.
  for (const error of o.errors) {
    if (!(error instanceof ErrorClass)) fail('onError gets ImCallbackErrors only', `got ${String(error)}`);
    const { code, status } = error as ErrorLike;
    if (!(STATUS_TABLE[status] ?? []).includes(code as ErrorCode)) {
      fail('error code matches its status', `${code} with status ${status}`);
    }
  }

  // 4. Nothing with a forbidden key is ever delivered (400 BODY_FORBIDDEN_KEY or an earlier refusal).
  if (e.hasForbiddenKey && o.deliveries.length > 0) fail('forbidden keys never delivered', 'delivered');
  if (e.hasForbiddenKey && o.status === 200) fail('forbidden keys are refused', 'answered 200');

  // 5. With a token, nothing without a valid Sign is delivered.
  if (e.tokenConfigured && !e.signValid && (o.deliveries.length > 0 || o.status === 200)) {
    fail('no delivery without a valid Sign', `status ${o.status}`);
  }

  if (o.status !== 200) {
    // 6. A refusal: FAIL body naming the code, exactly one onError with that status, nothing delivered.
    if (o.errors.length !== 1) fail('one onError per refusal', `${o.errors.length} errors`);
    const error = o.errors[0] as ErrorLike;
    if (error.status !== o.status) fail('error status is the answer status', `error ${error.status}`);
    if (
      reply.ActionStatus !== 'FAIL' ||
      reply.ErrorCode !== 1 ||
      typeof reply.ErrorInfo !== 'string' ||
      !reply.ErrorInfo.startsWith(`${error.code}: `) ||
      Object.keys(reply).length !== 3
    ) {
      fail('FAIL body', 'expected {"ActionStatus":"FAIL","ErrorInfo":"CODE: reason","ErrorCode":1}');
    }
    if (o.deliveries.length !== 0) fail('refusals are not delivered', `${o.deliveries.length} deliveries`);
  } else {
    // 7. 200: delivered exactly once, or (schema failure) reported once as PAYLOAD_INVALID and not delivered.
    if (reply.ActionStatus !== 'OK') fail('200 answers are OK', `ActionStatus ${String(reply.ActionStatus)}`);
    const checked = o.deliveries.length === 0 && o.errors.length === 0;
    if (checked && !e.outcomes.some((outcome) => outcome.check === true)) {
      fail('200 with nothing delivered or reported only for the URL check', 'the body carries an event');
    }
    const delivered = o.deliveries.length === 1 && o.errors.length === 0;
    const invalid =
      o.deliveries.length === 0 && o.errors.length === 1 && (o.errors[0] as ErrorLike).code === 'PAYLOAD_INVALID';
    if (!checked && !delivered && !invalid)
      fail('200: delivered once, PAYLOAD_INVALID once, or the URL check', 'neither');
    if (delivered && !e.outcomes.some((outcome) => outcome.check === undefined && outcome.code === undefined)) {
      fail('the URL check is never delivered', 'delivered');
    }
    if (invalid) {
      const error = o.errors[0] as ErrorLike;
      if (error.status !== 200) fail('PAYLOAD_INVALID has status 200', `status ${error.status}`);
      const facts = analyseBody(c.body);
      if (!isDeepStrictEqual(error.payload, facts.value))
        fail('PAYLOAD_INVALID carries the parsed body', 'payload differs');
    }
    if (delivered) {
      const event = o.deliveries[0] as { command?: unknown; kind?: unknown; raw?: unknown; requestId?: unknown };
      if (event.command !== e.command)
        fail('delivered event has the query command', `command ${String(event.command)}`);
      if (event.kind !== e.eventKind)
        fail('delivered event kind', `kind ${String(event.kind)}, expected ${e.eventKind}`);
      if (!isDeepStrictEqual(event.raw, analyseBody(c.body).value))
        fail('delivered event raw is the parsed body', 'differs');
      if (event.requestId !== e.requestId) {
        fail('event.requestId is the RequestID parameter', `${String(event.requestId)} !== ${String(e.requestId)}`);
      }
    }
  }

  // 8. The status and code are among those the status table allows for this case.
  const code = o.status === 200 ? (o.errors[0] as ErrorLike | undefined)?.code : (o.errors[0] as ErrorLike).code;
  if (!e.outcomes.some((outcome) => outcome.status === o.status && outcome.code === code)) {
    fail('outcome allowed by the status table', `got ${o.status} ${code ?? 'delivered'}`);
  }

  // 9. Errors carry the RequestID (once the query could be parsed).
  for (const error of o.errors) {
    const err = error as ErrorLike;
    if (err.code !== 'QUERY_MALFORMED' && err.requestId !== e.requestId) {
      fail('error.requestId is the RequestID parameter', `${String(err.requestId)} !== ${String(e.requestId)}`);
    }
  }
}

/** Counts of outcomes, for the summary tables. */
export class OutcomeTally {
  readonly byStatus = new Map<number, number>();
  readonly byCode = new Map<string, number>();
  readonly byBodyKind = new Map<string, number>();
  total = 0;

  add(c: CallbackCase, o: Observation): void {
    this.total++;
    this.byStatus.set(o.status, (this.byStatus.get(o.status) ?? 0) + 1);
    const codes = o.errors.length === 0 ? ['(delivered)'] : o.errors.map((e) => String((e as ErrorLike).code));
    for (const code of codes) this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    this.byBodyKind.set(c.expect.bodyKind, (this.byBodyKind.get(c.expect.bodyKind) ?? 0) + 1);
  }

  /** A plain-text table (status counts, then code counts). */
  format(): string {
    const rows: [string, string][] = [];
    for (const [status, n] of [...this.byStatus].sort((a, b) => a[0] - b[0]))
      rows.push([`status ${status}`, String(n)]);
    for (const [code, n] of [...this.byCode].sort((a, b) => b[1] - a[1])) rows.push([`  ${code}`, String(n)]);
    const width = Math.max(...rows.map(([label]) => label.length), 10);
    return rows.map(([label, n]) => `${label.padEnd(width)}  ${n.padStart(9)}`).join('\n');
  }
}
