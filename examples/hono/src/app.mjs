// A small real Hono app: logs each typed event and moderates group messages before they are sent.
// The core's Web-standard handler, `receiver.fetch(Request)`, mounted on a Hono route.

import { serve } from '@hono/node-server';
import { allow, createReceiver, discard, isMsgElement, reject } from '@im-callbacks/core';
import { Hono } from 'hono';

const BANNED = ['free money', 'casino'];
const PHONE = /\b1\d{10}\b/g;
const MUTED = new Set(['spammer']);

/**
 * The moderation policy for a group message about to be sent:
 * muted senders are silently dropped, banned words are refused (custom code 10100, shown to the
 * sender), phone numbers are masked, everything else passes.
 */
export function moderate(message) {
  if (MUTED.has(message.From_Account)) return discard();
  const texts = message.MsgBody.filter((element) => isMsgElement(element, 'TIMTextElem'));
  if (texts.some((element) => BANNED.some((word) => element.MsgContent.Text.toLowerCase().includes(word)))) {
    return reject(10100, 'message refused by moderation');
  }
  if (texts.some((element) => element.MsgContent.Text.search(PHONE) !== -1)) {
    const MsgBody = message.MsgBody.map((element) =>
      isMsgElement(element, 'TIMTextElem')
        ? { ...element, MsgContent: { ...element.MsgContent, Text: element.MsgContent.Text.replace(PHONE, '***') } }
        : element,
    );
    return allow({ MsgBody });
  }
  return undefined; // allow
}

function describe(message) {
  return message.MsgBody.map((element) =>
    isMsgElement(element, 'TIMTextElem') ? element.MsgContent.Text : `[${element.MsgType}]`,
  ).join(' ');
}

/** Registers the app's handlers on `im` (anything with on/onAny/onError). */
function register(im, log) {
  im.on('Group.CallbackBeforeSendMsg', (event) => {
    const decision = moderate(event.payload);
    log(
      `before-send  ${event.payload.GroupId} ${event.payload.From_Account}: "${describe(event.payload)}" → ${decision?.decision ?? 'allow'}`,
    );
    return decision;
  });
  im.on('Group.CallbackAfterSendMsg', (event) => {
    const { GroupId, From_Account, MsgSeq, EventTime } = event.payload;
    log(
      `after-send   ${GroupId} #${MsgSeq} ${From_Account}: "${describe(event.payload)}" at ${new Date(EventTime).toISOString()}`,
    );
  });
  im.on('Group.CallbackSendMsgException', (event) => {
    const { GroupId, From_Account, ErrorCode, ErrorInfo, EventTime } = event.payload;
    log(`send-failed  ${GroupId} ${From_Account}: ${ErrorCode} ${ErrorInfo} at ${new Date(EventTime).toISOString()}`);
  });
  im.onAny((event) => {
    if (event.kind === 'unknown') log(`unknown      ${event.command} (acknowledged)`);
  });
  im.onError((error) => log(`refused      ${error.status} ${error.code}: ${error.message}`));
}

export function createApp({ sdkAppId, token, log = console.log }) {
  const app = new Hono();
  const receiver = createReceiver({ sdkAppId, token });
  register(receiver, log);

  app.post('/im/callback', (c) => receiver.fetch(c.req.raw));
  app.get('/healthz', (c) => c.json({ ok: true }));
  return app;
}

/** Starts the app on `port` (0: any free port) and resolves once it listens. */
export function start({ port = 0, host = '127.0.0.1', ...options }) {
  const app = createApp(options);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      resolve({
        url: `http://${host}:${info.port}/im/callback`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
    server.on('error', reject);
  });
}
