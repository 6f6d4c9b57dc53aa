// Express adapter against the route a user would hand-write with express.json(), over loopback
// HTTP with keep-alive, both in this process and run alternately (same machine, same load).
import http from 'node:http';
import { imCallbacks, silentLogger } from '@im-callbacks/express';
import { buildRequest, sample } from '@im-callbacks/testing';
import express from 'express';

const APP = 1400000000;
const TOKEN = 'bench-token';
const COMMAND = 'Group.CallbackAfterSendMsg';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

function handWritten() {
  const app = express();
  app.post('/im/callback', express.json(), (req, res) => {
    // What people write today: check the app id, take the body, answer OK. No Sign, no validation.
    if (req.query.SdkAppid !== String(APP))
      return res.status(403).json({ ActionStatus: 'FAIL', ErrorInfo: 'app', ErrorCode: 1 });
    if (req.body.GroupId === undefined) return res.status(400).end();
    return res.json(OK);
  });
  return app;
}

function withAdapter() {
  const app = express();
  const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
  im.on(COMMAND, (event) => event.payload.GroupId);
  app.post('/im/callback', im);
  return app;
}

function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function load(port, { requests, concurrency }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const payload = Buffer.from(JSON.stringify(sample(COMMAND)));
  let sent = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      // A fresh Sign each time, as the IM backend sends it (the hand-written route ignores it).
      const { query } = buildRequest(COMMAND, {}, { sdkAppId: APP, token: TOKEN });
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: `/im/callback?${query}`,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const worker = async () => {
    while (sent < requests) {
      sent++;
      await one();
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return requests / seconds;
}

export async function benchHttp({ requests = 4000, concurrency = 16, rounds = 3 } = {}) {
  const base = await listen(handWritten());
  const ours = await listen(withAdapter());
  const results = { base: [], ours: [] };
  await load(base.address().port, { requests: 500, concurrency }); // warm-up
  await load(ours.address().port, { requests: 500, concurrency });
  for (let round = 0; round < rounds; round++) {
    results.base.push(await load(base.address().port, { requests, concurrency }));
    results.ours.push(await load(ours.address().port, { requests, concurrency }));
  }
  base.close();
  ours.close();
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const baseRps = median(results.base);
  const oursRps = median(results.ours);
  return [
    {
      case: 'express 5: hand-written express.json() route (no Sign, no validation)',
      'req/s': Math.round(baseRps),
    },
    {
      case: 'express 5: @im-callbacks/express (Sign verified, body read, validated, dispatched)',
      'req/s': Math.round(oursRps),
      'ratio vs hand-written': +(oursRps / baseRps).toFixed(2),
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchHttp());
}
