// The load generator, a child process of its own. Calls from the parent:
//   run   { port, command, size, seconds, concurrency }: Node's http client over a keep-alive Agent,
//         `concurrency` connections, each sending the next request as soon as the previous answer
//         ended, for `seconds`. → req/s, failures.
//   burst { port, command, size, count, concurrency, unique, warmCommand }: `count` requests, at
//         most `concurrency` in flight, over raw keep-alive connections (node:net, one per request
//         in flight, request bytes built before the clock starts); with `unique`, request i carries
//         MsgSeq i; with `warmCommand`, the connections are opened first by one request each of that
//         command. → answer times (request handed to the socket → answer read), statuses, failures.
// The body is fixed per call (or per MsgSeq), the query is signed once per second, as the IM
// backend signs it. An answer passes when it is 200 with the OK ack (ActionStatus OK, ErrorCode 0).
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ACK_TEXT, bodyBytes, PATH, percentile, querySource, serveParent } from './common.mjs';

function isAck(text) {
  if (text === ACK_TEXT) return true;
  try {
    const reply = JSON.parse(text);
    return reply.ActionStatus === 'OK' && reply.ErrorCode === 0;
  } catch {
    return false;
  }
}

function post(agent, port, path, body) {
  return new Promise((resolve) => {
    let written;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode, text, reused: req.reusedSocket, written }));
        res.on('error', (error) => resolve({ status: 0, text: error.message }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, text: error.message }));
    // The whole request handed to the socket: what follows is the server's (and the way back).
    req.on('finish', () => {
      written = performance.now();
    });
    req.end(body);
  });
}

const describe = (answer) =>
  answer.status === 0 ? `error: ${answer.text}` : `${answer.status} ${answer.text.slice(0, 200)}`;

/** A request's bytes: head and body, as the IM backend sends them. */
function rawRequest(port, path, body) {
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * One keep-alive connection that sends a request and reads its answer: the status line, then a
 * Content-Length or chunked body. An answer counts from the request handed to the socket.
 */
class RawConnection {
  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.data = Buffer.alloc(0);
    this.waiting = undefined;
    socket.on('data', (chunk) => {
      this.data = this.data.length === 0 ? chunk : Buffer.concat([this.data, chunk]);
      this.#settle();
    });
    const fail = (error) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.({ status: 0, text: error?.message ?? 'connection closed' });
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  exchange(bytes) {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(bytes);
    });
  }

  #settle() {
    const answer = this.#parse();
    if (answer === undefined || this.waiting === undefined) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting(answer);
  }

  /** The complete answer at the front of `data` (consumed), or undefined while incomplete. */
  #parse() {
    const end = this.data.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const head = this.data.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let body;
    let consumed;
    if (length !== null) {
      consumed = end + 4 + Number(length[1]);
      if (this.data.length < consumed) return undefined;
      body = this.data.subarray(end + 4, consumed);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts = [];
      let at = end + 4;
      for (;;) {
        const lineEnd = this.data.indexOf('\r\n', at);
        if (lineEnd === -1) return undefined;
        const chunkSize = Number.parseInt(this.data.subarray(at, lineEnd).toString('latin1'), 16);
        if (this.data.length < lineEnd + 2 + chunkSize + 2) return undefined;
        if (chunkSize === 0) {
          consumed = lineEnd + 4;
          break;
        }
        parts.push(this.data.subarray(lineEnd + 2, lineEnd + 2 + chunkSize));
        at = lineEnd + 2 + chunkSize + 2;
      }
      body = Buffer.concat(parts);
    } else {
      consumed = end + 4;
      body = Buffer.alloc(0);
    }
    this.data = this.data.subarray(consumed);
    return { status, text: body.toString('utf8') };
  }
}

serveParent({
  async run({ port, command, size, seconds, concurrency }) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const query = querySource(command);
    const body = bodyBytes(command, size);
    let completed = 0;
    let failures = 0;
    let firstFailure;
    const start = performance.now();
    const end = start + seconds * 1000;
    const worker = async () => {
      while (performance.now() < end) {
        const answer = await post(agent, port, `${PATH}?${query()}`, body);
        if (answer.status === 200 && isAck(answer.text)) completed++;
        else {
          failures++;
          firstFailure ??= describe(answer);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = (performance.now() - start) / 1000;
    agent.destroy();
    return { completed, failures, firstFailure, seconds: elapsed, rps: completed / elapsed };
  },

  async burst({ port, command, size, count, concurrency, unique, warmCommand }) {
    // Raw keep-alive connections (node:net), each request's bytes built before the clock starts,
    // answers parsed with nothing but the status line and the framing: the client adds as little
    // as it can to the time it measures, so a burst measures the server.
    const connections = await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, () => RawConnection.open(port)),
    );
    try {
      if (warmCommand !== undefined) {
        // Open the connections first (one request each, a command without a handler), so the burst
        // measures the receiver and not a storm of TCP handshakes against the listen backlog.
        const warm = rawRequest(port, `${PATH}?${querySource(warmCommand)()}`, bodyBytes(warmCommand, size));
        const answers = await Promise.all(connections.map((connection) => connection.exchange(warm)));
        const bad = answers.find((answer) => answer.status !== 200);
        if (bad) throw new Error(`warm-up request failed: ${describe(bad)}`);
      }
      const query = querySource(command);
      const fixed = unique ? undefined : bodyBytes(command, size);
      // One template, MsgSeq spliced in per request (the padding keeps the size close to `size`).
      const MARK = 987654321;
      const [head, tail] = unique ? bodyBytes(command, size, { MsgSeq: MARK }).toString().split(String(MARK)) : [];
      const times = [];
      const statuses = {};
      let failures = 0;
      let firstFailure;
      let next = 0;
      const start = performance.now();
      const worker = async (connection) => {
        while (next < count) {
          const i = next++;
          const bytes = rawRequest(port, `${PATH}?${query()}`, fixed ?? Buffer.from(`${head}${i}${tail}`));
          const sent = performance.now();
          const answer = await connection.exchange(bytes);
          times.push(performance.now() - sent);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status !== 200 || !isAck(answer.text)) {
            failures++;
            firstFailure ??= describe(answer);
          }
        }
      };
      await Promise.all(connections.map(worker));
      const wall = performance.now() - start;
      times.sort((a, b) => a - b);
      return {
        answered: times.length,
        statuses,
        failures,
        firstFailure,
        wall,
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        max: times[times.length - 1],
        min: times[0],
      };
    } finally {
      for (const connection of connections) connection.socket.destroy();
    }
  },
});
