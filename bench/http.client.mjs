// The load generator, a child process of its own: Node's http client over a keep-alive Agent.
// Calls from the parent:
//   run   { port, command, size, seconds, concurrency }: `concurrency` connections, each sending the
//         next request as soon as the previous answer ended, for `seconds`. → req/s, failures.
//   burst { port, command, size, count, concurrency, unique, warmCommand }: `count` requests, at
//         most `concurrency` in flight (one connection each); with `unique`, request i carries
//         MsgSeq i; with `warmCommand`, the connections are opened first by one request each of that
//         command. → answer times (client clock, request created → answer read; and from the
//         request's last byte handed to the socket → answer read), statuses, failures.
// The body is fixed per call (or per MsgSeq), the query is signed once per second, as the IM
// backend signs it. An answer passes when it is 200 with the OK ack (ActionStatus OK, ErrorCode 0).
import http from 'node:http';
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
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
    const query = querySource(command);
    if (warmCommand !== undefined) {
      // Open the connections first (one request each, a command without a handler), so the burst
      // measures the receiver and not a storm of TCP handshakes against the listen backlog.
      const warmQuery = querySource(warmCommand);
      const warmBody = bodyBytes(warmCommand, size);
      const answers = await Promise.all(
        Array.from({ length: concurrency }, () => post(agent, port, `${PATH}?${warmQuery()}`, warmBody)),
      );
      const bad = answers.find((answer) => answer.status !== 200);
      if (bad) throw new Error(`warm-up request failed: ${describe(bad)}`);
    }
    const fixed = unique ? undefined : bodyBytes(command, size);
    // One template, MsgSeq spliced in per request (the padding keeps the size close to `size`).
    const MARK = 987654321;
    const [head, tail] = unique ? bodyBytes(command, size, { MsgSeq: MARK }).toString().split(String(MARK)) : [];
    const times = [];
    const sinceWritten = [];
    const statuses = {};
    let failures = 0;
    let firstFailure;
    let next = 0;
    let newConnections = 0;
    const start = performance.now();
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const body = fixed ?? Buffer.from(`${head}${i}${tail}`);
        const sent = performance.now();
        const answer = await post(agent, port, `${PATH}?${query()}`, body);
        const now = performance.now();
        times.push(now - sent);
        if (answer.written !== undefined) sinceWritten.push(now - answer.written);
        if (answer.reused === false) newConnections++;
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status !== 200 || !isAck(answer.text)) {
          failures++;
          firstFailure ??= describe(answer);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    const wall = performance.now() - start;
    agent.destroy();
    times.sort((a, b) => a - b);
    sinceWritten.sort((a, b) => a - b);
    return {
      written: {
        p50: percentile(sinceWritten, 50),
        p99: percentile(sinceWritten, 99),
        max: sinceWritten[sinceWritten.length - 1],
      },
      answered: times.length,
      newConnections,
      statuses,
      failures,
      firstFailure,
      wall,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times[times.length - 1],
      min: times[0],
    };
  },
});
