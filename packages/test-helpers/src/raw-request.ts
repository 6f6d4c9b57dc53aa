/**
 * A request written on a raw socket, so the request target goes out exactly as given (a `#`
 * fragment included, which HTTP clients strip), with or without a `Content-Length`; a chunked answer
 * is de-chunked. Shared by the conformance and root-claim suites.
 */
import net from 'node:net';

export function rawRequest(
  port: number,
  method: string,
  target: string,
  body: string,
  /** `false`: no `Content-Length` header at all (with an empty body: a request without a body). */
  contentLength = true,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const length = contentLength ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : '';
      socket.end(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${length}\r\n${body}`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      const rest = text.slice(split + 4);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        text: /^transfer-encoding: *chunked/im.test(head) ? dechunk(rest) : rest,
      });
    });
  });
}

/** A chunked body's content (chunk sizes in hex, each chunk followed by CRLF, ended by a zero chunk). */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}
