import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { BodyTimeoutError, BodyTooLargeError, MalformedRequestError } from '@im-callbacks/core';
import { readBody as readBodyNowOrLater, WebBody } from '../src/pipeline/body.js';
import { assertNoForbiddenKey, parseJson } from '../src/pipeline/json.js';

/** A stream that produces `total` bytes in `chunk`-sized pieces, counting how many were pulled. */
function counted(total: number, chunk = 64 * 1024) {
  const state = { pulled: 0 };
  const stream = new Readable({
    read() {
      if (state.pulled >= total) {
        this.push(null);
        return;
      }
      state.pulled += chunk;
      this.push(Buffer.alloc(chunk, 97));
    },
  });
  return { stream, state };
}

/** The receiver's body reader, whose synchronous refusals (a body in memory) become rejections here. */
const readBody = async (...args: Parameters<typeof readBodyNowOrLater>) => readBodyNowOrLater(...args);

/** Read limits with the default body timeout. */
const limits = (limit: number) => ({ limit, timeout: 3000 });

describe('readBody', () => {
  test('a Node stream under the limit', async () => {
    expect(await readBody(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), limits(100))).toEqual({
      text: '{"a":1}',
    });
  });
  test('stops pulling a Node stream as soon as it passes the limit (5 MiB body, 1 MiB limit)', async () => {
    const { stream, state } = counted(5 * 1024 * 1024);
    await expect(readBody(stream, limits(1024 * 1024))).rejects.toBeInstanceOf(BodyTooLargeError);
    // What was pulled is the limit plus what the stream buffers ahead, never the whole body.
    expect(state.pulled).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024 * 2);
  });
  test('a declared Content-Length over the limit is refused before reading', async () => {
    const { stream, state } = counted(10);
    await expect(readBody(stream, limits(5), 10)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(state.pulled).toBe(0);
  });
  test('a Web stream, and one over the limit', async () => {
    const web = new Blob(['{"x":', '"y"}']).stream();
    expect(await readBody(web, limits(100))).toEqual({ text: '{"x":"y"}' });
    await expect(readBody(new Blob(['x'.repeat(200)]).stream(), limits(100))).rejects.toBeInstanceOf(BodyTooLargeError);
  });
  test('strings, Buffers, Uint8Arrays and ArrayBuffers (multi-byte text counted in bytes)', async () => {
    expect(await readBody('{"t":"红包"}', limits(100))).toEqual({ text: '{"t":"红包"}' });
    expect(await readBody(Buffer.from('{"t":"红包"}'), limits(100))).toEqual({ text: '{"t":"红包"}' });
    expect(await readBody(new TextEncoder().encode('{}'), limits(100))).toEqual({ text: '{}' });
    expect(await readBody(new TextEncoder().encode('{}').buffer as ArrayBuffer, limits(100))).toEqual({ text: '{}' });
    await expect(readBody('红'.repeat(40), limits(100))).rejects.toBeInstanceOf(BodyTooLargeError);
  });
  test('an already-parsed object is passed on', async () => {
    expect(await readBody({ a: 1 }, limits(100))).toEqual({ parsed: { a: 1 } });
  });
  test('a stream that errors or is destroyed mid-body', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(readBody(failing, limits(100))).rejects.toMatchObject({ code: 'BODY_READ_FAILED', status: 400 });
  });
  test('a Node stream that stalls is refused with BODY_TIMEOUT (408) once the timeout passes, and paused', async () => {
    const stalled = new Readable({ read() {} });
    stalled.push('{"a":');
    const started = Date.now();
    await expect(readBody(stalled, { limit: 100, timeout: 80 })).rejects.toMatchObject({
      code: 'BODY_TIMEOUT',
      status: 408,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(stalled.isPaused()).toBe(true);
    expect(stalled.listenerCount('data')).toBe(0);
  });
  test('a Web stream that stalls is refused with BODY_TIMEOUT and cancelled', async () => {
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(readBody(stalled, { limit: 100, timeout: 50 })).rejects.toMatchObject({ code: 'BODY_TIMEOUT' });
    expect(cancelled).toBe(true);
  });
});

describe('readBody of a Node request (real HTTP)', () => {
  interface Seen {
    text: string;
    /** 'data' listeners on the request when the read resolved: 0 when it was taken whole. */
    listening: number;
    closed: Promise<void>;
  }
  let server: http.Server;
  let port: number;
  const seen: Seen[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const closed = new Promise<void>((resolve) => req.once('close', resolve));
      const length = req.headers['content-length'];
      // As the adapters do: asked for while Node's parser is still on the request's head.
      Promise.resolve(readBodyNowOrLater(req, limits(1000), length === undefined ? undefined : Number(length))).then(
        (read) => {
          const text = 'text' in read ? read.text : '';
          seen.push({ text, listening: req.listenerCount('data'), closed });
          res.end(`read:${text}`);
        },
        (error: Error) => res.writeHead(400).end(error.message),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  const head = (length: number | undefined) =>
    `POST / HTTP/1.1\r\nHost: x\r\n${length === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`}\r\n\r\n`;
  /** Writes `pieces` on one connection (`pause` ms apart), resolves with what came back once `answers` answers did. */
  function exchange(pieces: string[], answers: number, pause = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.split('read:').length - 1 >= answers) {
          socket.end();
          resolve(received);
        }
      });
      socket.on('error', reject);
      (async () => {
        for (const piece of pieces) {
          socket.write(piece);
          if (pause > 0) await new Promise((done) => setTimeout(done, pause));
        }
      })();
    });
  }

  test('a body that came with its head is taken whole (no listener), and the request still ends and closes', async () => {
    const body = '{"a":"红包"}';
    const length = Buffer.byteLength(body);
    expect(await exchange([head(length) + body], 1)).toContain(`read:${body}`);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.text).toBe(body);
    expect(seen[0]?.listening).toBe(0);
    await seen[0]?.closed;
  });
  test('two pipelined requests in one packet: each reads its own body, on the kept-alive connection', async () => {
    const answer = await exchange([`${head(7)}{"n":1}${head(7)}{"n":2}`], 2);
    expect(answer).toContain('read:{"n":1}');
    expect(answer).toContain('read:{"n":2}');
    expect(seen.map((one) => one.text)).toEqual(['{"n":1}', '{"n":2}']);
  });
  test('a body that comes after its head is read as it comes', async () => {
    expect(await exchange([head(7), '{"n":', '3}'], 1, 30)).toContain('read:{"n":3}');
    expect(seen[0]?.text).toBe('{"n":3}');
    expect(seen[0]?.listening).toBe(1);
  });
  test('a chunked body (no length) that came whole with its head is taken whole', async () => {
    expect(await exchange([`${head(undefined)}7\r\n{"n":4}\r\n0\r\n\r\n`], 1)).toContain('read:{"n":4}');
    expect(seen[0]?.text).toBe('{"n":4}');
  });
});

describe('parseJson', () => {
  test('parses, strips a BOM', () => {
    expect(parseJson('\ufeff{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
  });
  test.each(['', '   ', '{', '{"a":1,}', "{'a':1}", 'NaN'])('%j is BODY_INVALID_JSON', (text) => {
    expect(() => parseJson(text)).toThrow(MalformedRequestError);
    expect(() => parseJson(text)).toThrow(expect.objectContaining({ code: 'BODY_INVALID_JSON' }));
  });
  test.each([
    '{"__proto__":{"polluted":1}}',
    '{"a":[{"b":{"__proto__":{"polluted":1}}}]}',
    '{"constructor":{"prototype":{"polluted":1}}}',
  ])('refuses %s', (text) => {
    expect(() => parseJson(text)).toThrow(expect.objectContaining({ code: 'BODY_FORBIDDEN_KEY' }));
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });
  test('the words in values are fine', () => {
    expect(parseJson('{"Text":"__proto__ and prototype","constructor":"a string"}')).toEqual({
      Text: '__proto__ and prototype',
      constructor: 'a string',
    });
  });
  test('assertNoForbiddenKey walks objects an upstream parser produced', () => {
    expect(() => assertNoForbiddenKey(JSON.parse('{"x":{"__proto__":1}}'))).toThrow(/__proto__/);
    expect(() => assertNoForbiddenKey({ deep: [[{ ok: true }]] })).not.toThrow();
  });
});

describe('readBody of a Web Request (the fetch handler)', () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request('http://localhost/im', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  test('a body of declared size is read whole, as text', async () => {
    const text = '{"t":"红包"}';
    const request = post(text, { 'content-length': String(Buffer.byteLength(text)) });
    expect(await readBody(new WebBody(request), limits(100), Buffer.byteLength(text))).toEqual({ text });
  });
  test('a declared size over the limit is refused before a byte is read', async () => {
    const request = post('x'.repeat(10));
    await expect(readBody(new WebBody(request), limits(5), 10)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(request.bodyUsed).toBe(false);
  });
  test('a body larger than its (hand-set) declared size is still refused', async () => {
    await expect(readBody(new WebBody(post('x'.repeat(200))), limits(100), 10)).rejects.toBeInstanceOf(
      BodyTooLargeError,
    );
  });
  test('without a declared size, the stream is counted as it comes and cut at the limit', async () => {
    const { stream, state } = counted(5 * 1024 * 1024);
    const request = post(Readable.toWeb(stream) as ReadableStream);
    await expect(readBody(new WebBody(request), limits(1024 * 1024))).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(state.pulled).toBeLessThan(5 * 1024 * 1024);
  });
  test('a declared body that stalls is a BodyTimeoutError at the timeout', async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
      },
    });
    const started = performance.now();
    await expect(readBody(new WebBody(post(stalled)), { limit: 100, timeout: 100 }, 50)).rejects.toBeInstanceOf(
      BodyTimeoutError,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
  test('no body at all is empty text', async () => {
    expect(await readBody(new WebBody(new Request('http://localhost/im', { method: 'POST' })), limits(100))).toEqual({
      text: '',
    });
  });
});
