/** Property-based fuzzing (fast-check) of the query parser, the verifier, the JSON parser and the whole pipeline. */
import {
  createReceiver,
  ImCallbackError,
  MalformedQueryError,
  MalformedRequestError,
  silentLogger,
} from '@im-callbacks/core';
import fc from 'fast-check';
import { resolveOptions } from '../src/options.js';
import { parseJson } from '../src/pipeline/json.js';
import { parseQuery, verifyQuery } from '../src/pipeline/query.js';
import { computeSign } from '../src/pipeline/sign.js';

const APP = 1400000000;
const runs = { numRuns: 300 };

describe('parseQuery', () => {
  test('any string parses or is refused as a MalformedQueryError; nothing else escapes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (raw) => {
        try {
          parseQuery(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedQueryError);
        }
      }),
      runs,
    );
  });
  test('any encoded name/value pair round-trips', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('[')),
        fc.string({ maxLength: 50 }),
        (name, value) => {
          const query = parseQuery(`${encodeURIComponent(`x${name}`)}=${encodeURIComponent(value)}`);
          expect(query.params[`x${name}`]).toBe(value);
        },
      ),
      runs,
    );
  });
});

describe('verifyQuery', () => {
  const now = 1_700_000_000;
  test('a Sign made with the token verifies; any other token or time does not', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: -60, max: 60 }),
        (token, other, skew) => {
          const options = resolveOptions({ sdkAppId: APP, token, now: () => now * 1000, logger: silentLogger });
          const time = now + skew;
          const query = (sign: string, t = time) =>
            parseQuery(`SdkAppid=${APP}&CallbackCommand=C&RequestTime=${t}&Sign=${sign}`);
          expect(verifyQuery(query(computeSign(token, time)), options).requestTime).toBe(time);
          if (other !== token)
            expect(() => verifyQuery(query(computeSign(other, time)), options)).toThrow(
              expect.objectContaining({ code: 'SIGN_INVALID' }),
            );
          expect(() => verifyQuery(query(computeSign(token, time + 1)), options)).toThrow(
            expect.objectContaining({ code: 'SIGN_INVALID' }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
  test('any Sign string that is not the digest is refused with 401', () => {
    const options = resolveOptions({ sdkAppId: APP, token: 'tok', now: () => now * 1000, logger: silentLogger });
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (sign) => {
        fc.pre(sign.toLowerCase() !== computeSign('tok', now));
        const query = parseQuery(
          `SdkAppid=${APP}&CallbackCommand=C&RequestTime=${now}&Sign=${encodeURIComponent(sign)}`,
        );
        expect(() => verifyQuery(query, options)).toThrow(expect.objectContaining({ status: 401 }));
      }),
      runs,
    );
  });
});

describe('parseJson', () => {
  test('any JSON value without forbidden keys round-trips', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value) ?? 'null';
        fc.pre(!text.includes('"__proto__"') && !text.includes('"prototype"'));
        expect(parseJson(text)).toEqual(JSON.parse(text));
      }),
      runs,
    );
  });
  test('any string parses or is a MalformedRequestError, and never pollutes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.constantFrom('{"__proto__":{"p":1}}', '{"a":{"constructor":{"prototype":{"p":1}}}}'),
        ),
        (text) => {
          try {
            parseJson(text);
          } catch (error) {
            expect(error).toBeInstanceOf(MalformedRequestError);
          }
          expect(({} as { p?: unknown }).p).toBeUndefined();
        },
      ),
      runs,
    );
  });
});

/** `key` with any subset of its characters written as JSON `\\uXXXX` escapes (upper or lower hex). */
const escapedSpelling = (key: string) =>
  fc
    .tuple(fc.array(fc.boolean(), { minLength: key.length, maxLength: key.length }), fc.boolean())
    .map(([escaped, upper]) =>
      [...key]
        .map((char, i) => {
          if (!escaped[i]) return char;
          const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
          return `\\u${upper ? hex.toUpperCase() : hex}`;
        })
        .join(''),
    );

/** A JSON text holding `__proto__` or `constructor.prototype` in some spelling, at some depth, among other keys. */
const forbiddenBody = fc
  .tuple(
    fc.oneof(
      escapedSpelling('__proto__').map((proto) => `"${proto}":{"polluted":1}`),
      fc
        .tuple(escapedSpelling('constructor'), escapedSpelling('prototype'))
        .map(([ctor, proto]) => `"${ctor}":{"${proto}":{"polluted":1}}`),
    ),
    fc.array(fc.constantFrom('object', 'array'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  )
  .map(([member, path, siblings]) => {
    const others = Object.entries(siblings)
      .filter(([key]) => key !== '__proto__' && key !== 'constructor')
      .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
    let text = `{${[...others, member].join(',')}}`;
    for (const wrap of path) text = wrap === 'array' ? `[1,${text}]` : `{"GroupId":"g","nested":${text}}`;
    return path.at(-1) === 'array' ? `{"list":${text}}` : text;
  });

describe('forbidden keys in any spelling', () => {
  test('parseJson refuses them at any depth, escaped or not, and nothing is polluted', () => {
    fc.assert(
      fc.property(forbiddenBody, (text) => {
        expect(() => parseJson(text)).toThrow(expect.objectContaining({ code: 'BODY_FORBIDDEN_KEY', status: 400 }));
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
  test('the pipeline refuses them from text and from an already-parsed object (upstream parser)', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: silentLogger });
    const handled: unknown[] = [];
    receiver.onAny((event) => {
      handled.push(event);
    });
    const query = `SdkAppid=${APP}&CallbackCommand=Group.CallbackAfterSendMsg`;
    await fc.assert(
      fc.asyncProperty(forbiddenBody, fc.boolean(), async (text, parsed) => {
        const response = await receiver.handle({ query, body: parsed ? JSON.parse(text) : text });
        expect(response.status).toBe(400);
        expect(response.body).toMatch(/^\{"ActionStatus":"FAIL","ErrorInfo":"BODY_FORBIDDEN_KEY/);
      }),
      { numRuns: 1000 },
    );
    expect(handled).toEqual([]);
  });
});

describe('the whole pipeline', () => {
  const receiver = createReceiver({ sdkAppId: APP, logger: silentLogger });
  const errors: ImCallbackError[] = [];
  receiver.onError((error) => {
    errors.push(error);
  });

  function expectWellFormed(response: { status: number; body: string }) {
    expect([200, 400, 401, 403, 413]).toContain(response.status);
    const reply = JSON.parse(response.body);
    expect(reply.ActionStatus).toBe(response.status === 200 ? 'OK' : 'FAIL');
  }

  /** A 200 has no error, or the one PAYLOAD_INVALID of a body that failed its schema; a refusal has exactly one. */
  function expectReported(response: { status: number }) {
    if (response.status === 200) {
      expect(errors.map((error) => [error.code, error.status])).toEqual(
        errors.length === 0 ? [] : [['PAYLOAD_INVALID', 200]],
      );
    } else {
      expect(errors.map((error) => error.status)).toEqual([response.status]);
    }
  }

  test('hostile queries and bodies always get a well-formed JSON answer, and every refusal reaches onError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 120 }),
        fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.jsonValue()),
        async (query, body) => {
          errors.length = 0;
          const response = await receiver.handle({
            query: `SdkAppid=${APP}&CallbackCommand=Group.CallbackAfterSendMsg&${query}`,
            body: body as never,
          });
          expectWellFormed(response);
          expectReported(response);
        },
      ),
      runs,
    );
  });

  test('errors are ImCallbackErrors with a code and a status', () => {
    for (const error of errors) {
      expect(error).toBeInstanceOf(ImCallbackError);
      expect(typeof error.code).toBe('string');
    }
  });
});
