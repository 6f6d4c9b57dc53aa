/**
 * Owns the Tencent SCF handler: the event of an API gateway trigger (integration request) becomes
 * one `receiver.handle` request (method, the full query from `queryString`, declared length, body
 * decoded from base64 when the gateway flagged it), and its answer the integration response the
 * gateway turns into HTTP.
 *
 * Event: https://www.tencentcloud.com/document/product/583/31439 (API gateway trigger's integration
 * request). Response: https://www.tencentcloud.com/document/product/583/12513 (integration response).
 * Base64 bodies: https://cloud.tencent.com/document/product/1340/51799.
 */
import type { CallbackReceiver } from '@im-callbacks/core';
import { answer, bodyOf, headerOf } from './run.js';

/** The fields of an SCF API gateway trigger event this reads. */
export interface ScfApiGatewayEvent {
  httpMethod?: string;
  /** The full query of the request (every parameter); `queryStringParameters` has only those configured in the gateway. */
  queryString?: Readonly<Record<string, unknown>> | null;
  /** Only the query parameters configured on the API (a fallback when `queryString` is absent). */
  queryStringParameters?: Readonly<Record<string, unknown>> | null;
  /** Headers, in whatever case the client sent them. */
  headers?: Readonly<Record<string, string | undefined>> | null;
  requestContext?: { readonly httpMethod?: string } | null;
  body?: string | null;
  /** True when the gateway's Base64 encoding is on for this request. */
  isBase64Encoded?: boolean;
}

/** The API gateway trigger's integration response. */
export interface ScfApiGatewayResult {
  isBase64Encoded: false;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Runs one SCF API gateway event through `receiver`; resolves once the late work has finished too. */
export async function handleScfEvent(
  receiver: CallbackReceiver,
  event: ScfApiGatewayEvent,
): Promise<ScfApiGatewayResult> {
  const response = await answer(receiver, {
    method: event.httpMethod ?? event.requestContext?.httpMethod,
    query: event.queryString ?? event.queryStringParameters ?? {},
    body: () => bodyOf(event.body, event.isBase64Encoded),
    contentLength: headerOf(event.headers, 'content-length'),
  });
  return { isBase64Encoded: false, statusCode: response.status, headers: { ...response.headers }, body: response.body };
}
