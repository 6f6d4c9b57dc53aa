/**
 * Core's own test fixtures, so core logic is tested without the testing package: one group message
 * body (the seed page's, EventTime a number), a request builder signing with core's own Sign, a
 * recording logger, and a validated callback as the emitter and the delivery receive it.
 */
import { type CallbackHandlers, type Logger, silentLogger } from '@im-callbacks/core';
import { Callback } from '../src/callback.js';
import { createEvent } from '../src/event.js';
import { computeSign } from '../src/pipeline/sign.js';
import { validate } from '../src/pipeline/validate.js';
import { addRegistration, type Registry } from '../src/registration.js';

export const APP = 1400000000;
export const AFTER = 'Group.CallbackAfterSendMsg';

/** A fresh copy of the seed page's `Group.CallbackAfterSendMsg` body. */
export function groupMessage(): Record<string, unknown> {
  return {
    CallbackCommand: AFTER,
    GroupId: '@TGS#2J4SZEAEL',
    Type: 'Public',
    From_Account: 'jared',
    Operator_Account: 'admin',
    Random: 2565,
    MsgSeq: 123,
    MsgTime: 1490686222,
    OnlineOnlyFlag: 0,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'red packet' } }],
    EventTime: 1670574414123,
  };
}

/** The query and body the IM backend would send; signed when `token` is given. */
export function request(
  command: string,
  payload: unknown,
  options: { sdkAppId?: number; token?: string; requestTime?: number } = {},
): { query: string; body: string } {
  const params = new URLSearchParams({
    SdkAppid: String(options.sdkAppId ?? APP),
    CallbackCommand: command,
    contenttype: 'json',
    ClientIP: '127.0.0.1',
    OptPlatform: 'RESTAPI',
  });
  if (options.token !== undefined) {
    const time = options.requestTime ?? Math.floor(Date.now() / 1000);
    params.set('RequestTime', String(time));
    params.set('Sign', computeSign(options.token, time));
  }
  return { query: params.toString(), body: typeof payload === 'string' ? payload : JSON.stringify(payload) };
}

export const BEFORE = 'Group.CallbackBeforeSendMsg';

/** A fresh `Group.CallbackBeforeSendMsg` body (the group message, as a before-callback). */
export function beforeMessage(): Record<string, unknown> {
  return { ...groupMessage(), CallbackCommand: BEFORE };
}

/** A logger that records every line with its level. */
export function recordingLogger(): { lines: [keyof Logger, string][]; logger: Logger } {
  const lines: [keyof Logger, string][] = [];
  const logger: Logger = {
    debug: (m) => lines.push(['debug', m]),
    info: (m) => lines.push(['info', m]),
    warn: (m) => lines.push(['warn', m]),
    error: (m) => lines.push(['error', m]),
  };
  return { lines, logger };
}

/**
 * A callback as the receiver hands it to the emitter or the delivery: its command's spec, the
 * payload validated into an event (an unknown command: no spec, an unknown event), received at
 * `receivedAt` with `deadline` ms for its handlers.
 */
export function callbackOf(
  command: string,
  payload: Record<string, unknown>,
  options: { receivedAt?: number; deadline?: number; logger?: Logger; requestId?: string; text?: string } = {},
): Callback {
  const callback = new Callback(
    options.receivedAt ?? Date.now(),
    options.logger ?? silentLogger,
    undefined,
    options.deadline ?? 1500,
  );
  const validation = validate(command, payload, {});
  if (!validation.ok) throw validation.error;
  const spec = validation.spec;
  const kind = spec === undefined ? 'unknown' : spec.form === 'ack' ? 'after' : 'before';
  callback.command = command;
  callback.requestId = options.requestId;
  callback.sdkAppId = APP;
  callback.payload = payload;
  callback.text = options.text;
  callback.spec = spec;
  callback.event = createEvent(command, kind, validation.payload, payload, {
    sdkAppId: APP,
    requestId: options.requestId,
    query: { params: { SdkAppid: String(APP), CallbackCommand: command } },
  });
  return callback;
}

/** The registration methods, typed per command as applications see them. */
export interface Handlers extends CallbackHandlers<Handlers> {}

/** A registry's methods, typed (the `Registry` itself takes any handler: its callers are typed). */
export function typed(registry: Registry): Handlers {
  return addRegistration<Handlers>({}, registry);
}
