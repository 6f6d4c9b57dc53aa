import { computeSign } from '@im-callbacks/core/adapter';

/** Tencent's callback Sign: lowercase hex SHA-256 of token ‖ RequestTime. */
export function sign(token: string, requestTime: number | string): string {
  return computeSign(token, requestTime);
}

export interface BuildOptions {
  /** The SDKAppID to put in `SdkAppid`. */
  sdkAppId: number | string;
  /** With a token, `RequestTime` and `Sign` are added, as the IM backend does when authentication is on. */
  token?: string;
  /** Unix seconds; default now. */
  requestTime?: number;
  /** `ClientIP`; default `127.0.0.1`. Pass `null` to leave it out (server-originated callbacks). */
  clientIp?: string | null;
  /** `OptPlatform`; default `RESTAPI`. Pass `null` to leave it out. */
  optPlatform?: string | null;
  /** Extra or overriding query parameters (in order, after the standard ones). */
  extraQuery?: Record<string, string>;
}

export interface BuiltRequest {
  /** The query string, without `?`, parameters in the order the IM backend sends them. */
  query: string;
  /** The JSON body text. */
  body: string;
}

/**
 * Builds a callback request the way the IM backend sends it: `SdkAppid`, `CallbackCommand`,
 * `contenttype=json`, `ClientIP`, `OptPlatform`, and with a token `RequestTime` and `Sign`.
 * `payload` is sent as given (an object is JSON-encoded, a string is sent verbatim).
 */
export function buildRequest(command: string, payload: unknown, options: BuildOptions): BuiltRequest {
  const params: [string, string][] = [
    ['SdkAppid', String(options.sdkAppId)],
    ['CallbackCommand', command],
    ['contenttype', 'json'],
  ];
  const clientIp = options.clientIp === undefined ? '127.0.0.1' : options.clientIp;
  const optPlatform = options.optPlatform === undefined ? 'RESTAPI' : options.optPlatform;
  if (clientIp !== null) params.push(['ClientIP', clientIp]);
  if (optPlatform !== null) params.push(['OptPlatform', optPlatform]);
  if (options.token !== undefined) {
    const requestTime = options.requestTime ?? Math.floor(Date.now() / 1000);
    params.push(['RequestTime', String(requestTime)], ['Sign', sign(options.token, requestTime)]);
  }
  if (options.extraQuery) for (const [name, value] of Object.entries(options.extraQuery)) params.push([name, value]);
  const query = params.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  return { query, body: typeof payload === 'string' ? payload : JSON.stringify(payload) };
}

export interface SendOptions extends BuildOptions {
  /** Headers to add (no `Content-Type` is sent unless given here: Tencent does not promise one). */
  headers?: Record<string, string>;
}

export interface SendResult {
  status: number;
  /** The reply parsed as JSON (undefined when it was not JSON). */
  reply: unknown;
  /** The reply text. */
  text: string;
  /** The request that was sent. */
  request: BuiltRequest & { url: string };
}

/** POSTs one callback to `url` (its own query string is kept) and returns the status and the reply. */
export async function send(url: string, command: string, payload: unknown, options: SendOptions): Promise<SendResult> {
  const built = buildRequest(command, payload, options);
  const target = `${url}${url.includes('?') ? '&' : '?'}${built.query}`;
  // Bytes, not a string: fetch would add `Content-Type: text/plain` to a string body.
  const response = await fetch(target, {
    method: 'POST',
    body: Buffer.from(built.body),
    headers: options.headers ?? {},
  });
  const text = await response.text();
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    reply = undefined;
  }
  return { status: response.status, reply, text, request: { ...built, url: target } };
}
