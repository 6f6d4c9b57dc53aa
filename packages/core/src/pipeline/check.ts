/**
 * Pipeline stage "check": owns recognising the IM console's URL check (the 校验 button of the
 * callback configuration page), a request that carries no event. The docs do not say what it sends
 * (core's README has the evidence); public code that handles it says it carries `Sign` and
 * `RequestTime`, maybe no `SdkAppid`, maybe `CallbackCommand` only in the query, and no body. So a
 * request is the check when its body is empty (no body, zero bytes, only whitespace) or the empty
 * JSON object `{}`: whatever its query holds besides a valid Sign, there is nothing to dispatch.
 * A body with anything in it, or longer than `CHECK_BODY_MAX`, is an event, judged exactly as any other.
 */
import type { ReadBody } from './body.js';

/**
 * The longest body that can still be a check (`{}` among whitespace, a BOM). A request whose query
 * lacks `SdkAppid` or `CallbackCommand` and declares a longer body is no check: it is refused as
 * before, without its body being read.
 */
export const CHECK_BODY_MAX = 64;

/** At most one info line about URL checks per this many milliseconds (per receiver). */
export const CHECK_LOG_INTERVAL_MS = 60_000;

/** Whether body text is short enough to be the check: at most `CHECK_BODY_MAX` bytes. */
function short(text: string): boolean {
  return text.length <= CHECK_BODY_MAX && Buffer.byteLength(text) <= CHECK_BODY_MAX;
}

/** Whether body text carries nothing: empty or only whitespace (a BOM included). Never copies a long body. */
export function isBlankBody(text: string): boolean {
  return short(text) && text.trim() === '';
}

/** The empty object `{}` (no own property at all). */
function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const _key in value) return false;
  return Object.getOwnPropertyNames(value).length === 0;
}

/**
 * Whether a parsed body carries no event: the short text `{}`, or from an upstream parser `{}` or
 * no value at all (what it leaves for a request without a body; the fetch handler's `null` body).
 */
export function isEmptyBody(body: ReadBody, value: unknown): boolean {
  if ('text' in body) return short(body.text) && isEmptyObject(value);
  return value === undefined || value === null || isEmptyObject(value);
}
