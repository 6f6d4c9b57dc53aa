/**
 * Pipeline stage "json": owns parsing the body text, and refusing `__proto__` and
 * `constructor.prototype` keys in any spelling (400), in text and in values an upstream parser made.
 */
import { type ErrorContext, MalformedRequestError } from '../errors.js';

/** Keys that, copied onto an object, would reach its prototype. */
function hasForbiddenKey(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    if (Object.hasOwn(node, '__proto__')) return '__proto__';
    const ctor = (node as Record<string, unknown>).constructor;
    if (
      Object.hasOwn(node, 'constructor') &&
      typeof ctor === 'object' &&
      ctor !== null &&
      Object.hasOwn(ctor, 'prototype')
    ) {
      return 'constructor.prototype';
    }
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return undefined;
}

/**
 * Parses JSON text, refusing `__proto__` and `constructor.prototype` keys (400): JSON.parse makes
 * them own properties, but any later merge or copy would turn them into prototype pollution.
 * The parsed value is always walked: a key can be spelt with JSON escapes (`"\u005f_proto__"`),
 * so no test of the text can rule one out.
 */
export function parseJson(text: string, context: ErrorContext = {}): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // Told apart only on failure: trimming every body would copy it.
    const reason = body.trim().length === 0 ? 'body is empty' : 'body is not valid JSON';
    throw new MalformedRequestError('BODY_INVALID_JSON', reason, { ...context, payload: text });
  }
  assertNoForbiddenKey(value, context);
  return value;
}

/** Checks a value an upstream parser produced (no text to pre-screen, so it is walked). */
export function assertNoForbiddenKey(value: unknown, context: ErrorContext = {}): void {
  const key = hasForbiddenKey(value);
  if (key !== undefined) {
    throw new MalformedRequestError('BODY_FORBIDDEN_KEY', `body contains the forbidden key ${key}`, {
      ...context,
      payload: value,
    });
  }
}
