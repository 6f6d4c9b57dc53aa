/**
 * Raw HTTP clients for the hostile suite: a client that floods a request body after the server
 * has refused it, a client whose body stalls, a plain POST, and a view of the server's own
 * sockets (how many bytes the server actually read), all on 127.0.0.1, all bounded in time.
 *
 * The server side is observed through Node's built-in `net.server.socket` diagnostics channel,
 * which announces every socket any `net.Server` of this process accepts: no access to the
 * target's server object is needed.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';

const now = (): number => performance.now();

/** The server-side sockets of every server in this process, by the client's port. */
export class ServerSockets {
  readonly #byClientPort = new Map<number, net.Socket>();
  readonly #listener = (message: unknown): void => {
    const socket = (message as { socket?: net.Socket }).socket;
    if (socket?.remotePort !== undefined) this.#byClientPort.set(socket.remotePort, socket);
  };

  constructor() {
    diagnosticsChannel.subscribe('net.server.socket', this.#listener);
  }

  /** The server's end of the connection whose client end has local port `clientPort`. */
  get(clientPort: number): net.Socket | undefined {
    return this.#byClientPort.get(clientPort);
  }

  close(): void {
    diagnosticsChannel.unsubscribe('net.server.socket', this.#listener);
    this.#byClientPort.clear();
  }
}

/** The port of an `http://127.0.0.1:PORT/...` URL. */
export function portOf(url: string): number {
  const port = Number(new URL(url).port);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in ${url}`);
  return port;
}

export interface RawResponse {
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  body: string;
}

/** Decodes a chunked body; undefined while incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}

/** Parses one HTTP/1.1 response from `data`; undefined while incomplete (`closed`: the peer is done). */
export function parseResponse(data: Buffer, closed = false): RawResponse | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  let body: Buffer | undefined;
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) body = dechunk(rest);
  else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    body = rest.length >= length ? rest.subarray(0, length) : undefined;
  } else body = closed ? rest : undefined;
  if (body === undefined) return undefined;
  return { status: Number(match[1]), statusLine, headers, body: body.toString('utf8') };
}

/** The request head (ends with the blank line). */
export function requestHead(port: number, path: string, headers: Record<string, string>): string {
  const lines = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

interface Connection {
  socket: net.Socket;
  clientPort: number;
  /** The response, once complete. */
  response(): RawResponse | undefined;
  responseAt(): number | undefined;
  /** When the server ended or closed the connection (or it failed), and how. */
  closedAt(): number | undefined;
  closeKind(): string | undefined;
  /** Resolves when the connection is closed (or failed). */
  closed: Promise<void>;
  /** Resolves when the response is complete (or the connection closed). */
  answered: Promise<void>;
}

/** What a connection saw, timed from `start`: the answer and when the server closed. */
function outcome(conn: Connection, start: number): StallResult {
  const responseAt = conn.responseAt();
  const closedAt = conn.closedAt();
  return {
    response: conn.response(),
    responseMs: responseAt === undefined ? undefined : Math.round(responseAt - start),
    closedMs: closedAt === undefined ? undefined : Math.round(closedAt - start),
    closeKind: conn.closeKind(),
  };
}

async function connect(port: number): Promise<Connection> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = Buffer.alloc(0);
  let response: RawResponse | undefined;
  let responseAt: number | undefined;
  let closedAt: number | undefined;
  let closeKind: string | undefined;
  let onAnswered: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    onAnswered = resolve;
  });
  const closed = new Promise<void>((resolve) => {
    const mark = (kind: string): void => {
      if (closedAt === undefined) {
        closedAt = now();
        closeKind = kind;
      }
      if (response === undefined) {
        response = parseResponse(data, true);
        if (response !== undefined) responseAt = now();
      }
      onAnswered();
      resolve();
    };
    socket.on('end', () => mark('end'));
    socket.on('close', () => mark('close'));
    socket.on('error', (error: NodeJS.ErrnoException) => mark(`error ${error.code ?? error.message}`));
  });
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    if (response === undefined) {
      response = parseResponse(data);
      if (response !== undefined) {
        responseAt = now();
        onAnswered();
      }
    }
  });
  return {
    socket,
    clientPort: socket.localPort as number,
    response: () => response,
    responseAt: () => responseAt,
    closedAt: () => closedAt,
    closeKind: () => closeKind,
    closed,
    answered,
  };
}

/** Resolves after `ms`, or at once when `promise` settles first; the timer never outlives it. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, ms));
    }),
  ]).finally(() => clearTimeout(timer));
}

function drainOrClose(socket: net.Socket, closed: Promise<void>, ms: number): Promise<void> {
  let listener: (() => void) | undefined;
  const drained = new Promise<void>((resolve) => {
    listener = resolve;
    socket.once('drain', resolve);
  });
  return within(Promise.race([drained, closed]), ms).finally(() => {
    if (listener) socket.removeListener('drain', listener);
  });
}

export interface FloodOptions {
  port: number;
  /** Path and query. */
  path: string;
  /** `length`: Content-Length `declaredLength` (default 10 GiB); `chunked`: Transfer-Encoding chunked. */
  framing: 'length' | 'chunked';
  declaredLength?: number;
  /** How long the client keeps sending (default 2000 ms). */
  sendMs?: number;
  /** After that, how long it waits for the server to close (default 1000 ms). */
  closeWaitMs?: number;
  chunkSize?: number;
  servers: ServerSockets;
}

export interface FloodResult {
  response: RawResponse | undefined;
  /** Milliseconds from the request head to the complete response. */
  responseMs: number | undefined;
  /** Milliseconds from the request head to the server ending/closing the connection. */
  closedMs: number | undefined;
  closeKind: string | undefined;
  /** Body bytes the client handed to its socket / that its socket flushed to the kernel. */
  clientQueuedBytes: number;
  clientFlushedBytes: number;
  /** Bytes the server's socket read (head included); undefined if the server socket was not seen. */
  serverBytesRead: number | undefined;
}

/**
 * Sends a request head announcing a huge body, then body chunks as fast as the socket takes them,
 * for `sendMs` or until the server ends the connection; then waits up to `closeWaitMs` for it to.
 */
export async function flood(options: FloodOptions): Promise<FloodResult> {
  const { port, path, framing, sendMs = 2000, closeWaitMs = 1000, chunkSize = 64 * 1024 } = options;
  const declaredLength = options.declaredLength ?? 10 * 1024 ** 3;
  const conn = await connect(port);
  const { socket } = conn;
  const headers: Record<string, string> =
    framing === 'chunked' ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(declaredLength) };
  const fill = Buffer.alloc(chunkSize, 0x20);
  const chunk =
    framing === 'chunked'
      ? Buffer.concat([Buffer.from(`${chunkSize.toString(16)}\r\n`), fill, Buffer.from('\r\n')])
      : fill;
  let queued = 0;
  let flushed = 0;
  const start = now();
  const sendUntil = start + sendMs;
  try {
    socket.write(requestHead(port, path, headers));
    while (conn.closedAt() === undefined && socket.writable && now() < sendUntil) {
      queued += chunk.length;
      const ok = socket.write(chunk, (error) => {
        if (!error) flushed += chunk.length;
      });
      if (ok) await new Promise((resolve) => setImmediate(resolve));
      else await drainOrClose(socket, conn.closed, sendUntil - now());
    }
    if (conn.closedAt() === undefined) await within(conn.closed, closeWaitMs);
    const serverSocket = options.servers.get(conn.clientPort);
    return {
      ...outcome(conn, start),
      clientQueuedBytes: queued,
      clientFlushedBytes: flushed,
      serverBytesRead: serverSocket?.bytesRead,
    };
  } finally {
    socket.destroy();
  }
}

export interface StallOptions {
  port: number;
  path: string;
  declaredLength: number;
  /** The part of the body sent before the client goes quiet. */
  sent: Buffer;
  /** How long to wait for the answer (from when the partial body was sent). */
  answerWaitMs: number;
  /** After the answer, how long to wait for the server to close the connection (0: do not wait). */
  closeWaitMs: number;
}

export interface StallResult {
  response: RawResponse | undefined;
  /** Milliseconds from the partial body being sent to the complete response. */
  responseMs: number | undefined;
  closedMs: number | undefined;
  closeKind: string | undefined;
}

/** Sends the head and part of the body, then nothing: the server must answer on its own clock. */
export async function stall(options: StallOptions): Promise<StallResult> {
  const conn = await connect(options.port);
  const { socket } = conn;
  try {
    socket.write(requestHead(options.port, options.path, { 'Content-Length': String(options.declaredLength) }));
    await new Promise<void>((resolve) => socket.write(options.sent, () => resolve()));
    const start = now();
    await within(conn.answered, options.answerWaitMs);
    if (conn.response() !== undefined && options.closeWaitMs > 0) await within(conn.closed, options.closeWaitMs);
    return outcome(conn, start);
  } finally {
    socket.destroy();
  }
}

export interface SlowBodyOptions {
  port: number;
  /** Path and query. */
  path: string;
  body: Buffer;
  /** How many body bytes go out with the head; the rest follow after `delayMs`. */
  firstBytes: number;
  delayMs: number;
  /** How long to wait for the answer after the last byte was sent. */
  answerWaitMs: number;
}

/**
 * Sends the head and the first bytes of the body, the rest `delayMs` later: a body that is slow
 * to arrive but does arrive. `responseMs` is timed from the head, as the IM backend times it.
 */
export async function slowBody(options: SlowBodyOptions): Promise<StallResult> {
  const conn = await connect(options.port);
  const { socket } = conn;
  try {
    const start = now();
    socket.write(requestHead(options.port, options.path, { 'Content-Length': String(options.body.length) }));
    socket.write(options.body.subarray(0, options.firstBytes));
    await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    socket.write(options.body.subarray(options.firstBytes));
    await within(conn.answered, options.answerWaitMs);
    return outcome(conn, start);
  } finally {
    socket.destroy();
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Milliseconds from sending to the complete answer. */
  ms: number;
}

/** One POST (on its own connection unless an `agent` is given); rejects with a clear message after `timeoutMs`. */
export function post(
  url: string,
  query: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
  agent: http.Agent | false = false,
): Promise<Answer> {
  const target = new URL(url);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return new Promise((resolve, reject) => {
    const start = now();
    let settled = false;
    const finish = (error: Error | undefined, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer as Answer);
    };
    const req = http.request({
      agent,
      host: target.hostname,
      port: target.port,
      method: 'POST',
      path: `${target.pathname}?${query}`,
      headers: { ...headers, 'content-length': String(bytes.length) },
    });
    const timer = setTimeout(() => {
      finish(new Error(`no answer within ${timeoutMs} ms (POST ${target.pathname}?${query})`));
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          ms: Math.round(now() - start),
        }),
      );
      res.on('error', (error) => finish(new Error(`response failed: ${error.message}`)));
    });
    req.on('error', (error) => finish(new Error(`request failed before an answer: ${error.message}`)));
    req.end(bytes);
  });
}
