/**
 * What the Node adapters share (node.ts), without a framework: which requests they claim, the body
 * source of a Node request, writing the answer (and closing a connection answered early), the
 * adapters' option checks, and the Sign redacted from logged URLs.
 */
import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { BodyUnavailableError, createReceiver, type Logger, silentLogger } from '@im-callbacks/core';
import {
  adapterReceiver,
  checkPathOption,
  claimsRequest,
  closeAfterAnswer,
  nodeBodySource,
  pathOf,
  redactSign,
  writeNodeResponse,
} from '../src/node.js';
import { OK_RESPONSE } from '../src/pipeline/reply.js';
import { APP } from './fixtures.js';

describe('pathOf', () => {
  test.each([
    [undefined, '/'],
    ['/im/callback', '/im/callback'],
    ['/im/callback?SdkAppid=1&CallbackCommand=x', '/im/callback'],
    ['/im/callback#frag?x', '/im/callback'],
    ['/a?b#c', '/a'],
    ['?only=query', ''],
  ])('%j → %j', (url, path) => {
    expect(pathOf(url)).toBe(path);
  });
});

describe('claimsRequest', () => {
  const command = 'SdkAppid=1&CallbackCommand=Group.CallbackAfterSendMsg';
  test('only POSTs', () => {
    for (const method of ['GET', 'PUT', 'HEAD', 'post', undefined]) {
      expect([method, claimsRequest(method, '/im', command, '/im', true)]).toEqual([method, false]);
    }
  });
  test('with a path: every POST to that path, with or without a command; nothing elsewhere', () => {
    expect(claimsRequest('POST', '/im', command, '/im', false)).toBe(true);
    expect(claimsRequest('POST', '/im', 'SdkAppid=1', '/im', false)).toBe(true);
    expect(claimsRequest('POST', '/elsewhere', command, '/im', true)).toBe(false);
    expect(claimsRequest('POST', '/im/', command, '/im', false)).toBe(false);
  });
  test('without a path: POSTs whose query carries CallbackCommand (any spelling), or routed here', () => {
    expect(claimsRequest('POST', '/any', command, undefined, false)).toBe(true);
    expect(claimsRequest('POST', '/any', 'callbackcommand=x', undefined, false)).toBe(true);
    expect(claimsRequest('POST', '/any', 'Callback%43ommand=x', undefined, false)).toBe(true);
    expect(claimsRequest('POST', '/any', 'SdkAppid=1', undefined, false)).toBe(false);
    expect(claimsRequest('POST', '/any', 'MyCallbackCommand=x', undefined, false)).toBe(false);
    expect(claimsRequest('POST', '/any', 'SdkAppid=1', undefined, true)).toBe(true);
  });
});

describe('checkPathOption', () => {
  test('a string starting with / is returned; undefined passes unless required', () => {
    expect(checkPathOption('path', '/im/callback')).toBe('/im/callback');
    expect(checkPathOption('path', undefined)).toBeUndefined();
    expect(() => checkPathOption('path', undefined, true)).toThrow(
      "im-callbacks: option path must be a string starting with '/', got undefined",
    );
  });
  test.each([['im/callback'], [''], [42], [null], [['/x']]])('%j is refused, naming the option', (value) => {
    expect(() => checkPathOption('prefix', value)).toThrow(
      new TypeError(`im-callbacks: option prefix must be a string starting with '/', got ${JSON.stringify(value)}`),
    );
  });
});

describe('nodeBodySource', () => {
  function request(headers: Record<string, string> = {}): IncomingMessage {
    const req = new IncomingMessage(new Socket());
    req.headers = headers;
    return req;
  }
  async function consumed(headers: Record<string, string> = {}): Promise<IncomingMessage> {
    const req = request(headers);
    req.push('{"a":1}');
    req.push(null);
    req.resume();
    await new Promise((resolve) => req.on('end', resolve));
    expect(req.readableEnded).toBe(true);
    return req;
  }

  test('an unconsumed request is its own source, whatever an upstream parser left', () => {
    const req = request();
    expect(nodeBodySource(req)).toBe(req);
    // Express 4's json parser sets `{}` on a request it does not parse, without reading it.
    expect(nodeBodySource(req, { parsed: {}, raw: 'ignored' })).toBe(req);
  });

  test('consumed: the raw text or bytes an upstream parser kept come first', async () => {
    const req = await consumed();
    expect(nodeBodySource(req, { raw: '{"raw":1}', parsed: { parsed: 1 } })).toBe('{"raw":1}');
    const bytes = Buffer.from('{"raw":2}');
    expect(nodeBodySource(req, { raw: bytes, parsed: { parsed: 1 } })).toBe(bytes);
    const array = new Uint8Array([123, 125]);
    expect(nodeBodySource(req, { raw: array })).toBe(array);
  });

  test('consumed: else the parsed value (an object, a string); a raw that is neither text nor bytes is ignored', async () => {
    const req = await consumed();
    const parsed = { GroupId: 'g' };
    expect(nodeBodySource(req, { parsed })).toBe(parsed);
    expect(nodeBodySource(req, { parsed: 'text', raw: 42 })).toBe('text');
  });

  test("body-parser's `_body` flag counts as consumed, even before the stream ended", () => {
    const req = request() as IncomingMessage & { _body?: boolean };
    req._body = true;
    expect(nodeBodySource(req, { parsed: { a: 1 } })).toEqual({ a: 1 });
  });

  test('consumed, nothing kept, declared empty: the empty body', async () => {
    expect(nodeBodySource(await consumed({ 'content-length': '0' }))).toBe('');
  });

  test('consumed without a copy: BodyUnavailableError (500)', async () => {
    const req = await consumed({ 'content-length': '7' });
    for (const upstream of [undefined, {}, { parsed: null }, { parsed: undefined, raw: undefined }]) {
      let caught: unknown;
      try {
        nodeBodySource(req, upstream);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BodyUnavailableError);
      expect(caught).toMatchObject({
        code: 'BODY_UNAVAILABLE',
        status: 500,
        message: 'request body was consumed by an upstream middleware that kept no copy of it',
      });
    }
  });
});

describe('writeNodeResponse', () => {
  function response(state: Partial<ServerResponse> = {}) {
    const headers: Record<string, string> = {};
    const ended: unknown[] = [];
    const res = {
      headersSent: false,
      writableEnded: false,
      statusCode: 200,
      setHeader: (name: string, value: string) => {
        headers[name] = value;
      },
      end: (body: unknown) => void ended.push(body),
      ...state,
    };
    return { res: res as unknown as ServerResponse, headers, ended };
  }

  test('writes the status, the headers and the body', () => {
    const { res, headers, ended } = response();
    writeNodeResponse(res, { status: 401, body: '{"x":1}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(headers).toEqual({ 'content-type': 'application/json' });
    expect(ended).toEqual(['{"x":1}']);
  });

  test('writes nothing on a response already sent or ended', () => {
    for (const state of [{ headersSent: true }, { writableEnded: true }]) {
      const { res, headers, ended } = response(state);
      writeNodeResponse(res, OK_RESPONSE);
      expect([res.statusCode, headers, ended]).toEqual([200, {}, []]);
    }
  });

  test('with a request whose body was read to its end: no Connection: close', () => {
    const { res, headers } = response();
    writeNodeResponse(res, OK_RESPONSE, { complete: true, httpVersionMajor: 1 } as IncomingMessage);
    expect(headers.connection).toBeUndefined();
  });

  test('with a request whose body was not read: Connection: close, the socket paused', () => {
    const { res, headers } = response();
    const socket = fakeSocket();
    writeNodeResponse(res, OK_RESPONSE, { complete: false, httpVersionMajor: 1, socket } as unknown as IncomingMessage);
    expect(headers.connection).toBe('close');
    expect(socket.pause).toHaveBeenCalled();
  });
});

function fakeSocket() {
  const listeners: Record<string, (() => void)[]> = {};
  return {
    destroyed: false,
    writable: true,
    pause: jest.fn(),
    destroySoon: undefined as undefined | (() => void),
    on(event: string, listener: () => void) {
      listeners[event] = [...(listeners[event] ?? []), listener];
      return this;
    },
    emit(event: string) {
      for (const listener of listeners[event] ?? []) listener.call(this);
    },
  };
}

describe('closeAfterAnswer', () => {
  const req = (fields: object) => ({ complete: false, httpVersionMajor: 1, ...fields }) as unknown as IncomingMessage;

  test('nothing to do for a complete request, HTTP/2, or no real socket (inject)', () => {
    expect(closeAfterAnswer(req({ complete: true, socket: fakeSocket() }))).toBe(false);
    expect(closeAfterAnswer(req({ httpVersionMajor: 2, socket: fakeSocket() }))).toBe(false);
    expect(closeAfterAnswer(req({ socket: null }))).toBe(false);
    expect(closeAfterAnswer(req({ socket: { ...fakeSocket(), destroyed: true } }))).toBe(false);
    expect(closeAfterAnswer(req({ socket: { destroyed: false } }))).toBe(false);
  });

  // What happens once the answer is written (socket.destroySoon) is exercised over real sockets by
  // test/hostile; here only the decision and the pause, which every version of it starts with.
  test('a request whose body was not read: true, and the socket stops reading (and stays paused on resume)', () => {
    const socket = fakeSocket();
    expect(closeAfterAnswer(req({ socket }))).toBe(true);
    expect(socket.pause).toHaveBeenCalledTimes(1);
    socket.emit('resume');
    expect(socket.pause).toHaveBeenCalledTimes(2);
    expect(typeof socket.destroySoon).toBe('function');
  });
});

describe('adapterReceiver', () => {
  const keys = ['path', 'prefix'] as const;

  test("an SDKAppID: a receiver from the receiver's options, the adapter's own options apart", () => {
    const logger: Logger = { ...silentLogger };
    const { receiver, own } = adapterReceiver(APP, { token: 'tok', path: '/im', logger }, keys);
    expect(own).toEqual({ path: '/im' });
    expect(receiver.options.sdkAppIds).toEqual(new Set([String(APP)]));
    expect(receiver.options.tokens).toEqual(['tok']);
    expect(receiver.options.logger).toBe(logger);
  });

  test('no options: a receiver with the defaults, and the given defaults under the options', () => {
    const fromDefaults: Logger = { ...silentLogger };
    const { receiver, own } = adapterReceiver(APP, undefined, keys, { logger: fromDefaults });
    expect(own).toEqual({});
    expect(receiver.options.logger).toBe(fromDefaults);
    const explicit: Logger = { ...silentLogger };
    expect(adapterReceiver(APP, { logger: explicit }, keys, { logger: fromDefaults }).receiver.options.logger).toBe(
      explicit,
    );
  });

  test('options that are not an object are refused', () => {
    for (const options of [null, 'x', 42]) {
      expect(() => adapterReceiver(APP, options, keys)).toThrow(
        new TypeError('im-callbacks: options must be an object'),
      );
    }
  });

  test('an unknown option is refused, naming the valid ones (sdkAppId is not one: it is the first argument)', () => {
    expect(() => adapterReceiver(APP, { tokn: 'x' }, keys)).toThrow(
      /unknown option "tokn"; the options are token, requestTimeWindow, bodyLimit, bodyTimeout, deadline, fallback, logger, now, handoff, dedupe, path, prefix$/,
    );
    expect(() => adapterReceiver(APP, { sdkAppId: 1 }, keys)).toThrow(/unknown option "sdkAppId"/);
  });

  test("the receiver's option checks apply", () => {
    expect(() => adapterReceiver(APP, { deadline: 5000 }, keys)).toThrow(/deadline/);
    expect(() => adapterReceiver('not-an-id', {}, keys)).toThrow(/sdkAppId must be a positive integer/);
  });

  test("an existing receiver: that receiver; only the adapter's own options, the receiver's refused", () => {
    const existing = createReceiver({ sdkAppId: APP, logger: silentLogger });
    const { receiver, own } = adapterReceiver(existing, { prefix: '/p' }, keys);
    expect(receiver).toBe(existing);
    expect(own).toEqual({ prefix: '/p' });
    expect(() => adapterReceiver(existing, { token: 'x' }, keys)).toThrow(
      'im-callbacks: option token belongs to the receiver: pass it to createReceiver(), not with an existing receiver',
    );
    expect(() => adapterReceiver(existing, { pth: '/x' }, keys)).toThrow(
      /unknown option "pth"; the options are path, prefix$/,
    );
  });
});

describe('redactSign', () => {
  test.each([
    ['/im?SdkAppid=1&Sign=abc123&RequestTime=5', '/im?SdkAppid=1&Sign=[redacted]&RequestTime=5'],
    ['/im?Sign=abc123', '/im?Sign=[redacted]'],
    ['/im?a=1&sign=abc&SIGN=def', '/im?a=1&sign=[redacted]&SIGN=[redacted]'],
    ['/im?Sign=abc#frag', '/im?Sign=[redacted]#frag'],
    ['/im?Sign=', '/im?Sign=[redacted]'],
    ['/im?MySign=abc&Signature=x', '/im?MySign=abc&Signature=x'],
    ['/im/Sign=abc', '/im/Sign=abc'],
  ])('%s → %s', (url, redacted) => {
    expect(redactSign(url)).toBe(redacted);
  });
});
