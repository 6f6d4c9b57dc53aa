/**
 * Owns the AWS Lambda handler: the event of an API Gateway REST API (Lambda proxy integration,
 * payload 1.0), of an HTTP API (payload 1.0 or 2.0) or of a function URL (2.0's shape) becomes one
 * `receiver.handle` request (method, query, declared length, body decoded from base64 when
 * flagged), and its answer the proxy integration's response object.
 *
 * Payloads: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import type { CallbackReceiver, CallbackResponse } from '@im-callbacks/core';
import type { QueryInput } from '@im-callbacks/core/adapter';
import { answer, bodyOf, headerOf } from './run.js';

/** The fields of a Lambda HTTP event this reads (REST API v1, HTTP API 1.0/2.0, function URL). */
export interface LambdaHttpEvent {
  /** `2.0` on HTTP API 2.0 and function URLs; `1.0` on HTTP API 1.0; absent on REST APIs. */
  version?: string;
  /** The method (1.0 and REST). */
  httpMethod?: string;
  /** The query as sent (2.0, function URLs): used as is. */
  rawQueryString?: string;
  /** Every value of every query parameter (1.0 and REST); null without a query. */
  multiValueQueryStringParameters?: Readonly<Record<string, readonly string[] | undefined>> | null;
  /** The query parameters (1.0: each one's last value; 2.0: repeated values joined by commas); null without a query. */
  queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  /** Headers, in the client's case (1.0) or lower-cased (2.0). */
  headers?: Readonly<Record<string, string | undefined>> | null;
  requestContext?: { readonly http?: { readonly method?: string }; readonly httpMethod?: string } | null;
  body?: string | null;
  /** Whether `body` is base64 (binary media types, function URLs for non-text content types). */
  isBase64Encoded?: boolean;
}

/** The proxy integration's response (payload 1.0 and 2.0, function URLs alike). */
export interface LambdaHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** The query of a Lambda event: 2.0's raw string, else 1.0's every value, else its single values. */
export function lambdaQuery(event: LambdaHttpEvent): QueryInput {
  if (typeof event.rawQueryString === 'string') return event.rawQueryString;
  const query = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi !== null && multi !== undefined) {
    // Every value: a parameter sent twice is seen twice (and refused, as over HTTP).
    for (const [name, values] of Object.entries(multi)) for (const value of values ?? []) query.append(name, value);
    return query;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query.append(name, value);
  }
  return query;
}

/** Runs one Lambda HTTP event through `receiver`; resolves once the late work has finished too. */
export async function handleLambdaEvent(receiver: CallbackReceiver, event: LambdaHttpEvent): Promise<LambdaHttpResult> {
  const response = await answer(receiver, {
    method: event.requestContext?.http?.method ?? event.httpMethod ?? event.requestContext?.httpMethod,
    query: lambdaQuery(event),
    body: () => bodyOf(event.body, event.isBase64Encoded),
    contentLength: headerOf(event.headers, 'content-length'),
  });
  return lambdaResult(response);
}

function lambdaResult(response: CallbackResponse): LambdaHttpResult {
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body, isBase64Encoded: false };
}
