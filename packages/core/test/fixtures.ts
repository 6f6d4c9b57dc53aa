/**
 * Core's own test fixtures, so core logic is tested without the testing package: one group message
 * body (the seed page's, EventTime a number) and a request builder signing with core's own Sign.
 */
import { computeSign } from '../src/pipeline/sign.js';

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
