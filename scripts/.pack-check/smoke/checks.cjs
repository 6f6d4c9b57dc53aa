// The runtime smoke test, written once and run twice: smoke/esm.mjs hands it the packages as loaded
// by `import`, smoke/cjs.cjs as loaded by `require`. It imports nothing itself, so what it checks
// is exactly the build the caller loaded.
const assert = require('node:assert/strict');
const http = require('node:http');

const SDK_APP_ID = 1400000000;
const TOKEN = 'pack-check-token';
const AFTER = 'Group.CallbackAfterSendMsg';

function okReply(status, text, where) {
  assert.equal(status, 200, `${where}: status ${status}, body ${text}`);
  const reply = JSON.parse(text);
  assert.equal(reply.ActionStatus, 'OK', `${where}: ${text}`);
  assert.equal(reply.ErrorCode, 0, `${where}: ${text}`);
}

async function listen(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${server.address().port}/im/callback`;
}

/** m: { core, adapter, catalogue, express, koa, fastify, testing, opentelemetry, inspector, serverless, expressLib, koaLib, fastifyLib } */
async function run(m, log) {
  const { buildRequest, sample, send } = m.testing;
  const payload = sample(AFTER);

  // Subpaths load and are the same build as the root (one class, whichever entry made the object).
  assert.equal(typeof m.adapter.computeSign, 'function', '@im-callbacks/core/adapter: computeSign');
  assert.equal(m.catalogue.commandSpec(AFTER).command, AFTER, '@im-callbacks/core/catalogue: commandSpec');
  assert.ok(m.core.isKnownCommand(AFTER), '@im-callbacks/core: isKnownCommand');
  assert.equal(m.core.commandList, m.catalogue.commandList, 'the root and /catalogue share one commandList');
  assert.ok(
    m.adapter.toImCallbackError(new Error('x'), {}) instanceof m.core.ImCallbackError,
    '@im-callbacks/core/adapter and @im-callbacks/core share ImCallbackError',
  );
  for (const name of ['express', 'koa', 'fastify']) {
    assert.equal(
      m[name].createReceiver,
      m.core.createReceiver,
      `@im-callbacks/${name} re-exports the core it depends on`,
    );
  }
  assert.equal(m.fastify.default, m.fastify.imCallbacks, '@im-callbacks/fastify: default export is imCallbacks');

  // core: receiver.handle with a signed request from @im-callbacks/testing.
  const receiver = m.core.createReceiver({ sdkAppId: SDK_APP_ID, token: TOKEN, logger: m.core.silentLogger });
  assert.ok(m.adapter.isReceiver(receiver), '@im-callbacks/core/adapter: isReceiver(createReceiver())');
  const seen = [];
  receiver.on(AFTER, (event) => {
    seen.push(event.payload.GroupId);
  });
  const { query, body } = buildRequest(AFTER, payload, { sdkAppId: SDK_APP_ID, token: TOKEN });
  const answer = await receiver.handle({ query, body });
  okReply(answer.status, answer.body, 'core receiver.handle');
  assert.deepEqual(seen, [payload.GroupId], 'core: the handler saw the event');
  const forged = buildRequest(AFTER, payload, { sdkAppId: SDK_APP_ID, token: 'another-token' });
  const refused = await receiver.handle(forged);
  assert.notEqual(refused.status, 200, `core: a wrong Sign is refused (got ${refused.status} ${refused.body})`);
  log('core: receiver.handle answered 200 OK, refused a wrong Sign');

  // Each adapter behind its framework, over HTTP.
  async function overHttp(name, start) {
    const events = [];
    const { url, close } = await start((event) => events.push(event.payload.GroupId));
    try {
      const result = await send(url, AFTER, payload, { sdkAppId: SDK_APP_ID, token: TOKEN });
      okReply(result.status, result.text, name);
      assert.deepEqual(events, [payload.GroupId], `${name}: the handler saw the event`);
    } finally {
      await close();
    }
    log(`${name}: 200 OK over HTTP`);
  }
  const options = { token: TOKEN, logger: m.core.silentLogger };

  await overHttp('@im-callbacks/express', async (onEvent) => {
    const im = m.express.imCallbacks(SDK_APP_ID, options);
    im.on(AFTER, onEvent);
    const server = http.createServer(m.expressLib().use(im));
    const url = await listen(server);
    return { url, close: () => new Promise((resolve) => server.close(resolve)) };
  });

  await overHttp('@im-callbacks/koa', async (onEvent) => {
    const im = m.koa.imCallbacks(SDK_APP_ID, options);
    im.on(AFTER, onEvent);
    const server = http.createServer(new m.koaLib().use(im).callback());
    const url = await listen(server);
    return { url, close: () => new Promise((resolve) => server.close(resolve)) };
  });

  await overHttp('@im-callbacks/fastify', async (onEvent) => {
    const app = m.fastifyLib({ logger: false });
    await app.register(m.fastify.imCallbacks, { sdkAppId: SDK_APP_ID, path: '/im/callback', ...options });
    app.imCallbacks.on(AFTER, onEvent);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `${address}/im/callback`, close: () => app.close() };
  });

  // @im-callbacks/opentelemetry listens on the channel the core publishes on (one channel by name,
  // whichever build each package was loaded as), with the API's global (no-op) providers.
  const channel = require('node:diagnostics_channel').tracingChannel(m.core.CALLBACK_CHANNEL);
  const instrumentation = m.opentelemetry.instrumentImCallbacks();
  assert.ok(channel.start.hasSubscribers, '@im-callbacks/opentelemetry subscribed to the core channel');
  const traced = m.core.createReceiver({ sdkAppId: SDK_APP_ID, token: TOKEN, logger: m.core.silentLogger });
  assert.equal((await traced.dispatch(AFTER, payload)).status, 200, 'dispatch with the instrumentation on');
  instrumentation.disable();
  assert.ok(!channel.start.hasSubscribers, '@im-callbacks/opentelemetry: disable() unsubscribed');
  log('opentelemetry: subscribed to the core channel, a callback traced, unsubscribed');

  // @im-callbacks/inspector records from the same channel and serves its page and list.
  const inspector = m.inspector.createInspector({ receiver: traced });
  assert.equal((await traced.dispatch(AFTER, payload, { requestId: 'pack-check' })).status, 200);
  await inspector.flush();
  assert.deepEqual(
    inspector.records().map((record) => [record.command, record.requestId, record.status]),
    [[AFTER, 'pack-check', 200]],
    '@im-callbacks/inspector recorded the callback',
  );
  const local = { address: '127.0.0.1' };
  const page = await inspector.fetch(new Request('http://127.0.0.1/im/inspector/'), local);
  assert.equal(page.status, 200);
  assert.ok((await page.text()).includes('<title>im-callbacks inspector</title>'), 'the inspector page');
  const list = await inspector.fetch(new Request('http://127.0.0.1/im/inspector/api/callbacks'), local);
  assert.equal((await list.json()).length, 1, 'the inspector API');
  await inspector.close();
  assert.ok(!channel.start.hasSubscribers, '@im-callbacks/inspector: close() unsubscribed');
  log(`inspector: recorded a callback, served its page (${m.inspector.PAGE_BYTES} bytes) and list, unsubscribed`);

  // @im-callbacks/serverless: a Lambda HTTP API 2.0 event and an SCF API gateway event, signed.
  assert.equal(m.serverless.createReceiver, m.core.createReceiver, '@im-callbacks/serverless re-exports the core');
  const lambda = m.serverless.lambdaHandler(SDK_APP_ID, { token: TOKEN, logger: m.core.silentLogger });
  const signed = buildRequest(AFTER, payload, { sdkAppId: SDK_APP_ID, token: TOKEN });
  const v2 = await lambda({
    version: '2.0',
    rawQueryString: signed.query,
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method: 'POST' } },
    body: Buffer.from(signed.body).toString('base64'),
    isBase64Encoded: true,
  });
  okReply(v2.statusCode, v2.body, 'serverless lambdaHandler (HTTP API 2.0, base64 body)');
  const scf = m.serverless.scfHandler(SDK_APP_ID, { token: TOKEN, logger: m.core.silentLogger });
  const scfResult = await scf({
    httpMethod: 'POST',
    queryString: Object.fromEntries(new URLSearchParams(signed.query)),
    headers: { 'Content-Type': 'application/json' },
    body: signed.body,
  });
  okReply(scfResult.statusCode, scfResult.body, 'serverless scfHandler (API gateway trigger)');
  log('serverless: a Lambda HTTP API 2.0 event and an SCF API gateway event answered OK');
}

module.exports = { run };
