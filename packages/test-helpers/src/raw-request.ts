/**
 * A request written on a raw socket, so the request target goes out exactly as given (a `#`
 * fragment included, which HTTP clients strip). Shared by the conformance and root-claim suites.
 */
import net from 'node:net';

export function rawRequest(
  port: number,
  method: string,
  target: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end(
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        text: text.slice(text.indexOf('\r\n\r\n') + 4),
      });
    });
  });
}
