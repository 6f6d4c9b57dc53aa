// Shared by the example apps, so each app's own file shows only its framework's wiring.
import { createServer } from 'node:http';
import { allow, discard, isMsgElement, reject } from '@im-callbacks/core';

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

/** The message's text, other elements as `[MsgType]` (what the examples log). */
export function describeMessage(message) {
  return message.MsgBody.map((element) =>
    isMsgElement(element, 'TIMTextElem') ? element.MsgContent.Text : `[${element.MsgType}]`,
  ).join(' ');
}

/** Registers the example's handlers on `im`: any adapter's object, or a core receiver (on/onAny/onError). */
export function registerHandlers(im, log) {
  im.on('Group.CallbackBeforeSendMsg', (event) => {
    const decision = moderate(event.payload);
    const { GroupId, From_Account } = event.payload;
    log(
      `before-send  ${GroupId} ${From_Account}: "${describeMessage(event.payload)}" → ${decision?.decision ?? 'allow'}`,
    );
    return decision;
  });
  im.on('Group.CallbackAfterSendMsg', (event) => {
    const { GroupId, From_Account, MsgSeq, EventTime } = event.payload;
    log(
      `after-send   ${GroupId} #${MsgSeq} ${From_Account}: "${describeMessage(event.payload)}" at ${new Date(EventTime).toISOString()}`,
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

/**
 * The server entry of every example: IM_SDKAPPID (required), IM_CALLBACK_TOKEN (recommended),
 * PORT (default 3000), HOST (default 0.0.0.0).
 */
export async function serve(start) {
  const sdkAppId = process.env.IM_SDKAPPID;
  if (!sdkAppId) {
    console.error('Set IM_SDKAPPID to your SDKAppID (and IM_CALLBACK_TOKEN to the console callback token).');
    process.exit(1);
  }
  const { url, inspectorUrl } = await start({
    sdkAppId,
    token: process.env.IM_CALLBACK_TOKEN || undefined,
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '0.0.0.0',
  });
  console.log(`Listening for IM callbacks on ${url} (set this URL in the IM console)`);
  if (inspectorUrl)
    console.log(`Inspector: ${inspectorUrl.replace('0.0.0.0', '127.0.0.1')} (the callbacks received, live)`);
}

/**
 * Serves a Node request listener (an Express app, a Koa app's `callback()`) on `host:port`
 * (port 0: any free port); resolves with the callback URL and `close`.
 */
export function listen(listener, { port = 0, host = '127.0.0.1' } = {}) {
  const server = createServer(listener);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        url: `http://${host}:${server.address().port}/im/callback`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
