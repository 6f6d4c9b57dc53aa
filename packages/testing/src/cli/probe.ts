/**
 * Owns the HTTP requests `im-callbacks doctor` makes: one request on a fresh connection, timed from
 * the first byte sent to the last byte of the answer (`probe`), and the oversized-body probe that
 * declares a body over the limit, sends only its start, and watches whether the endpoint answers
 * before the rest and then closes the connection (`probeOversized`). Plain `node:http`/`node:net`
 * /`node:tls`, so any endpoint can be probed, whatever serves it.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

export interface ProbeResult {
  /** The status, or undefined when no answer came (then `error` says why). */
  readonly status: number | undefined;
  readonly text: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Milliseconds from sending to the end of the answer (or to the failure). */
  readonly ms: number;
  readonly error?: string;
}

export interface ProbeRequest {
  readonly url: string;
  /** The body; undefined sends none (no `Content-Length`). */
  readonly body?: string | undefined;
  readonly timeoutMs: number;
}

/** POSTs `body` to `url` on a connection of its own and reads the whole answer. Never rejects. */
export function probe({ url, body, timeoutMs }: ProbeRequest): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const request = client.request(target, { method: 'POST', headers, agent: false });
    const fail = (error: string) => resolve({ status: undefined, text: '', headers: {}, ms: elapsed(), error });
    const timer = setTimeout(() => {
      request.destroy();
      fail(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode, text, headers: response.headers, ms: elapsed() });
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        fail(error.message);
      });
    });
    // Without a body: no Content-Length, no chunked encoding: a request without a body at all.
    if (body === undefined) request.useChunkedEncodingByDefault = false;
    request.end(body);
  });
}

export interface OversizedResult {
  /** The status of the answer, or undefined when none came while the body was held back. */
  readonly status: number | undefined;
  /** Milliseconds from sending to the answer's status line. */
  readonly ms: number;
  /** Whether the endpoint closed the connection (after answering) within the grace period. */
  readonly closed: boolean;
  readonly error?: string;
}

/**
 * Declares a body of `declared` bytes, sends its first `sent` bytes, and sends no more: a sound
 * endpoint refuses from the declared length at once and closes the connection. Resolves with the
 * status (undefined when none came within `timeoutMs`) and whether the connection was closed within
 * `closeMs` of the answer.
 */
export function probeOversized(
  url: string,
  declared: number,
  sent: number,
  timeoutMs: number,
  closeMs: number,
): Promise<OversizedResult> {
  const started = performance.now();
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  return new Promise((resolve) => {
    let answered: { status: number; ms: number } | undefined;
    let text = '';
    let done = false;
    const finish = (result: OversizedResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const onConnect = () => {
      const head =
        `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`;
      socket.write(head);
      socket.write(`{"padding":"${'x'.repeat(Math.max(0, sent - 14))}`);
    };
    const socket = secure
      ? tls.connect({ host: target.hostname, port, servername: target.hostname }, onConnect)
      : net.connect({ host: target.hostname, port }, onConnect);
    let timer = setTimeout(
      () => finish({ status: undefined, ms: Math.round(performance.now() - started), closed: false }),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (answered !== undefined) return;
      text += chunk;
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (match === null) return;
      answered = { status: Number(match[1]), ms: Math.round(performance.now() - started) };
      // Answered: now the connection should go, not wait for the rest of the body.
      clearTimeout(timer);
      const { status, ms } = answered;
      timer = setTimeout(() => finish({ status, ms, closed: false }), closeMs);
    });
    const closed = () => {
      if (answered !== undefined) finish({ ...answered, closed: true });
      else
        finish({
          status: undefined,
          ms: Math.round(performance.now() - started),
          closed: true,
          error: 'the connection was closed without an answer',
        });
    };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', (error: Error) => {
      if (answered !== undefined) finish({ ...answered, closed: true });
      else
        finish({ status: undefined, ms: Math.round(performance.now() - started), closed: true, error: error.message });
    });
  });
}
