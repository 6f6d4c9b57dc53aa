import { MalformedQueryError } from '@im-callbacks/core';
import { resolveOptions } from '../src/options.js';
import { parseQuery, verifyQuery } from '../src/pipeline/query.js';
import { computeSign, signMatches } from '../src/pipeline/sign.js';
import { hasCallbackCommand, queryOf } from '../src/pipeline/url.js';

const options = (extra = {}) => resolveOptions({ sdkAppId: 1400000000, logger: undefined, ...extra });

describe('computeSign', () => {
  test('matches the worked example of the protocol reference (token ‖ RequestTime)', () => {
    expect(computeSign('xxxxyyyy', 1669872112)).toBe(
      '17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061',
    );
    expect(computeSign('xxxxyyyy', '1669872112')).toBe(computeSign('xxxxyyyy', 1669872112));
  });
  test('order matters: RequestTime ‖ token is another digest', () => {
    expect(computeSign('1669872112', 'xxxxyyyy' as unknown as number)).not.toBe(computeSign('xxxxyyyy', 1669872112));
  });
});

describe('signMatches', () => {
  const sign = computeSign('t2', '100');
  test('any token of the list', () => {
    expect(signMatches(['t1', 't2'], '100', sign)).toBe(true);
    expect(signMatches(['t1'], '100', sign)).toBe(false);
  });
  test('upper-case hex is the same digest', () => {
    expect(signMatches(['t2'], '100', sign.toUpperCase())).toBe(true);
  });
  test('control characters that lower-casing would turn into digits are not digits', () => {
    // 0x10-0x19 | 0x20 is '0'-'9': a Sign with those in place of its digits must still fail.
    const controls = sign.replace(/[0-9]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0x20));
    expect(controls).not.toBe(sign);
    expect(signMatches(['t2'], '100', controls)).toBe(false);
  });
  test('the Signs of the last RequestTime are kept per token list, never per Sign sent', () => {
    const tokens = ['t1', 't2'];
    // A forged Sign first, for the same second: the right one still passes, the forged one still fails.
    expect(signMatches(tokens, '100', computeSign('t3', '100'))).toBe(false);
    expect(signMatches(tokens, '100', sign)).toBe(true);
    expect(signMatches(tokens, '100', computeSign('t3', '100'))).toBe(false);
    // Another list (another receiver) with the same RequestTime checks its own tokens.
    expect(signMatches(['t3'], '100', computeSign('t3', '100'))).toBe(true);
    expect(signMatches(['t3'], '100', sign)).toBe(false);
    // The next second: the new RequestTime's Sign, and not the old one.
    expect(signMatches(tokens, '101', computeSign('t1', '101'))).toBe(true);
    expect(signMatches(tokens, '101', sign)).toBe(false);
    expect(signMatches(tokens, '100', sign)).toBe(true);
  });
  test.each(['', 'abc', sign.slice(1), `${sign}0`, `${sign.slice(0, 63)}g`])('rejects malformed Sign %j', (given) => {
    expect(signMatches(['t2'], '100', given)).toBe(false);
  });
});

describe('parseQuery', () => {
  test('parameter names are matched case-insensitively, values decoded, originals kept', () => {
    const query = parseQuery('?SDKAppID=1&callbackcommand=Group.X&ClientIP=1.2.3.4&OptPlatform=iOS&x=a%20b&x=c&flag');
    expect(query).toMatchObject({ sdkappid: '1', callbackcommand: 'Group.X', clientip: '1.2.3.4', optplatform: 'iOS' });
    expect(query.params).toEqual({
      SDKAppID: '1',
      callbackcommand: 'Group.X',
      ClientIP: '1.2.3.4',
      OptPlatform: 'iOS',
      x: 'a b',
      flag: '',
    });
  });
  test('URLSearchParams and parsed objects', () => {
    expect(parseQuery(new URLSearchParams('SdkAppid=1')).sdkappid).toBe('1');
    expect(parseQuery({ SdkAppid: '1', other: ['a', 'b'] }).sdkappid).toBe('1');
  });
  test.each([
    ['repeated', 'SdkAppid=1&SdkAppid=1'],
    ['repeated in another case', 'SdkAppid=1&sdkappid=2'],
    ['bracketed (array)', 'SdkAppid[]=1'],
    ['bracketed (object)', 'Sign[a]=1'],
    ['bad percent-encoding', 'SdkAppid=%E0%A4%A'],
  ])('refuses a known parameter %s', (_name, raw) => {
    expect(() => parseQuery(raw)).toThrow(MalformedQueryError);
  });
  test.each([
    ['an array', { SdkAppid: ['1', '2'] }],
    ['an object', { CallbackCommand: { a: 1 } }],
    ['a number', { RequestTime: 1 }],
  ])('refuses a parsed known parameter that is %s', (_name, input) => {
    expect(() => parseQuery(input)).toThrow(/must be a single value/);
  });
});

describe('parseQuery: the in-place path for a query with nothing to decode', () => {
  const known = (query: ReturnType<typeof parseQuery>) => ({
    sdkappid: query.sdkappid,
    callbackcommand: query.callbackcommand,
    sign: query.sign,
    requesttime: query.requesttime,
    requestid: query.requestid,
    params: query.params,
  });
  const outcome = (raw: string) => {
    try {
      return known(parseQuery(raw));
    } catch (error) {
      return (error as Error).message;
    }
  };
  // `&z=%20` sends the same query down the general path (decoding on), so both paths are compared.
  test.each([
    'SdkAppid=1&CallbackCommand=C&Sign=s&RequestTime=2&RequestID=r',
    '?SdkAppid=1&Sign==x&Sign2=y',
    'SdkAppidX=1&Signs=2&Sign',
    'SdkAppid&RequestTime=&RequestID=a=b',
    'Sign=a&Sign=b',
    'Sign=a&sign=b',
    'SdkAppid=1&SDKAPPID=2',
    'RequestID=a&RequestId=b',
    'Sign[]=a',
    '&&SdkAppid=1&&',
  ])('%j: the same values and the same refusals as the general path', (raw) => {
    const fast = outcome(raw);
    const general = outcome(`${raw}&z=%20`);
    if (typeof fast === 'string') expect(general).toBe(fast);
    else expect(general).toEqual({ ...fast, params: { ...fast.params, z: ' ' } });
  });
});

describe('hasCallbackCommand', () => {
  test.each([
    ['SdkAppid=1&CallbackCommand=X', true],
    ['?CallbackCommand=X', true],
    ['callbackcommand=X', true],
    ['Callback%43ommand=X', true],
    ['Callback%63ommand', true],
    ['CallbackCommand[]=X', true],
    ['a=1&CALLBACKCOMMAND=', true],
    ['q=callbackcommand', false],
    ['CallbackCommands=X', false],
    ['Callback%ZZommand=X', false],
    ['a=1', false],
    ['', false],
  ])('%j → %s', (query, expected) => expect(hasCallbackCommand(query)).toBe(expected));
});

describe('queryOf', () => {
  test.each([
    ['/cb?a=1&b=2', 'a=1&b=2'],
    ['/cb?a=1#b=2', 'a=1'],
    ['/cb#x?a=1', ''],
    ['/cb', ''],
    ['/cb?', ''],
    [undefined, ''],
    ['http://h/cb?a=1?b#c', 'a=1?b'],
  ])('%j → %j', (url, expected) => expect(queryOf(url)).toBe(expected));
});

describe('RequestID', () => {
  test.each(['RequestID', 'RequestId', 'requestid', 'REQUESTID'])('%s is read, by any case', (name) => {
    expect(parseQuery(`${name}=abc-1`).requestid).toBe('abc-1');
    const verified = verifyQuery(parseQuery(`SdkAppid=1400000000&CallbackCommand=C&${name}=abc-1`), options());
    expect(verified.requestId).toBe('abc-1');
  });
  test('repeated is refused like any known parameter', () => {
    expect(() => parseQuery('RequestID=a&RequestId=b')).toThrow(MalformedQueryError);
  });
  test('is not part of the Sign', () => {
    const time = 1_700_000_000;
    const opts = options({ token: 'tok', now: () => time * 1000 });
    const query = `SdkAppid=1400000000&CallbackCommand=C&RequestTime=${time}&Sign=${computeSign('tok', time)}`;
    expect(verifyQuery(parseQuery(`${query}&RequestID=anything`), opts).requestId).toBe('anything');
  });
});

describe('verifyQuery', () => {
  const now = 1_700_000_000;
  const signed = (time: number, token = 'tok') =>
    parseQuery(`SdkAppid=1400000000&CallbackCommand=C&RequestTime=${time}&Sign=${computeSign(token, time)}`);
  const opts = options({ token: 'tok', now: () => now * 1000 });

  test('accepts a signed query and reports what it learned', () => {
    expect(verifyQuery(signed(now), opts)).toEqual({ sdkAppId: 1400000000, command: 'C', requestTime: now });
  });
  test('window is inclusive at 60 s and refuses beyond, both directions', () => {
    expect(() => verifyQuery(signed(now - 60), opts)).not.toThrow();
    expect(() => verifyQuery(signed(now + 60), opts)).not.toThrow();
    expect(() => verifyQuery(signed(now - 61), opts)).toThrow(
      expect.objectContaining({ code: 'REQUEST_TIME_STALE', status: 401 }),
    );
    expect(() => verifyQuery(signed(now + 61), opts)).toThrow(expect.objectContaining({ code: 'REQUEST_TIME_STALE' }));
  });
  test('messages say what to do: the console token for SIGN_INVALID, the skew and the clock for REQUEST_TIME_STALE', () => {
    expect(() => verifyQuery(signed(now, 'other'), opts)).toThrow(
      /check that the token option is the callback token set in the IM console/,
    );
    expect(() => verifyQuery(signed(now - 75), opts)).toThrow(
      /RequestTime is 75 s behind this server's clock, outside the 60 s window: check the server clock/,
    );
    expect(() => verifyQuery(signed(now + 3600), opts)).toThrow(/RequestTime is 3600 s ahead of this server's clock/);
  });
  test('SdkAppid is checked before the Sign, the Sign before the command', () => {
    expect(() => verifyQuery(parseQuery('SdkAppid=2'), opts)).toThrow(
      expect.objectContaining({ code: 'SDKAPPID_MISMATCH', status: 403 }),
    );
    expect(() => verifyQuery(parseQuery('SdkAppid=1400000000'), opts)).toThrow(
      expect.objectContaining({ code: 'SIGN_MISSING' }),
    );
    expect(verifyQuery(parseQuery('SdkAppid=1400000000'), options()).incomplete).toEqual(
      expect.objectContaining({ code: 'COMMAND_MISSING', status: 400 }),
    );
  });
  test('a missing SdkAppid or command is not thrown but deferred (the console URL check may send neither)', () => {
    const check = verifyQuery(parseQuery(`RequestTime=${now}&Sign=${computeSign('tok', now)}`), opts);
    expect(check).toMatchObject({ sdkAppId: undefined, command: undefined, requestTime: now });
    expect(check.incomplete).toEqual(expect.objectContaining({ code: 'SDKAPPID_MISSING', status: 403 }));
    expect(verifyQuery(parseQuery('SdkAppid=%20&CallbackCommand=C'), options()).incomplete).toEqual(
      expect.objectContaining({ code: 'SDKAPPID_MISSING' }),
    );
    // Missing SdkAppid does not spare a forged Sign its 401.
    expect(() => verifyQuery(parseQuery(`RequestTime=${now}&Sign=${computeSign('forged', now)}`), opts)).toThrow(
      expect.objectContaining({ code: 'SIGN_INVALID', status: 401 }),
    );
    expect(verifyQuery(signed(now), opts).incomplete).toBeUndefined();
  });
  test('a string sdkAppId option and surrounding spaces in the query', () => {
    const o = options({ sdkAppId: ' 1400000000 ' });
    expect(verifyQuery(parseQuery('SdkAppid=%201400000000&CallbackCommand=C'), o).sdkAppId).toBe(1400000000);
  });
  test('without a token RequestTime is still reported when present', () => {
    expect(verifyQuery(parseQuery('SdkAppid=1400000000&CallbackCommand=C&RequestTime=5'), options()).requestTime).toBe(
      5,
    );
  });
});

describe('resolveOptions', () => {
  test.each([
    [{ sdkAppId: undefined }, /sdkAppId/],
    [{ sdkAppId: [] }, /at least one/],
    [{ sdkAppId: 'abc' }, /sdkAppId/],
    [{ sdkAppId: 1.5 }, /sdkAppId/],
    [{ sdkAppId: 1, token: '' }, /token/],
    [{ sdkAppId: 1, token: ['a', 3] }, /token/],
    [{ sdkAppId: 1, deadline: 2000 }, /deadline .* up to 1999/],
    [{ sdkAppId: 1, deadline: -1 }, /deadline/],
    [{ sdkAppId: 1, bodyLimit: 0 }, /bodyLimit/],
    [{ sdkAppId: 1, bodyTimeout: 0 }, /bodyTimeout/],
    [{ sdkAppId: 1, bodyTimeout: 2 ** 31 }, /bodyTimeout .* up to/],
    [{ sdkAppId: 1, requestTimeWindow: Number.NaN }, /requestTimeWindow/],
    [{ sdkAppId: 1, fallback: 'discard' }, /fallback/],
    [{ sdkAppId: 1, logger: { info() {} } }, /logger/],
    [{ sdkAppId: 1, now: 5 }, /now/],
    [
      { sdkAppId: 1, tokn: 'x' },
      /unknown option "tokn"; the options are sdkAppId, token, requestTimeWindow, bodyLimit, bodyTimeout, deadline, fallback, logger, now/,
    ],
  ])('%j is refused with a clear TypeError', (input, message) => {
    expect(() => resolveOptions(input as never)).toThrow(TypeError);
    expect(() => resolveOptions(input as never)).toThrow(message);
  });
  test('defaults', () => {
    expect(resolveOptions({ sdkAppId: [1, '2'] })).toMatchObject({
      tokens: [],
      requestTimeWindow: 60,
      bodyLimit: 1024 * 1024,
      bodyTimeout: 3000,
      deadline: 1500,
      fallback: 'allow',
    });
  });
});
