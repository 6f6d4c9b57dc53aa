/**
 * Owns what the SCF and Lambda handlers share: running one platform event through the receiver's
 * one entry (`receiver.handle`), then waiting for the work that outlives the answer before the
 * function returns (a function is frozen once it returns: a late handler left running would never
 * finish), and reading headers in whatever case the platform spelt them.
 */
import type { CallbackReceiver, CallbackRequest, CallbackResponse } from '@im-callbacks/core';

/** A header by name, whatever its case (API Gateway v1 keeps the client's, v2 lowercases, SCF varies). */
export function headerOf(
  headers: Readonly<Record<string, string | undefined>> | null | undefined,
  name: string,
): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** The body as the platform gave it: text, or bytes when it flagged the body base64. */
export function bodyOf(body: string | null | undefined, base64: boolean | undefined): string | Buffer {
  if (body === null || body === undefined) return '';
  return base64 === true ? Buffer.from(body, 'base64') : body;
}

/**
 * Answers one request, then waits for everything it left running (late handlers, a handoff past the
 * deadline, de-duplication writes): the answer goes back only when the function returns, so its
 * time includes that work. Never rejects (the receiver never does, nor does the work it hands over).
 */
export async function answer(
  receiver: CallbackReceiver,
  request: Omit<CallbackRequest, 'waitUntil'>,
): Promise<CallbackResponse> {
  const late: Promise<unknown>[] = [];
  const response = await receiver.handle({ ...request, waitUntil: (work) => late.push(work) });
  // Work may hand over more work as it ends (a late store claim released): until none is left.
  while (late.length > 0) await Promise.all(late.splice(0));
  return response;
}
