/**
 * Pipeline stage "json": owns parsing the body text, and refusing `__proto__` and
 * `constructor.prototype` keys in any spelling (400), in text and in values an upstream parser made.
 */
import { type ErrorContext, MalformedRequestError } from '../errors.js';

/** Nesting walked by recursion; deeper parts (only a hostile body has them) get an explicit stack. */
const MAX_DEPTH = 64;

/** `__proto__`, or `constructor` holding a `prototype`: a key that, copied onto an object, reaches its prototype. */
function forbiddenKeyOf(node: object): string | undefined {
  if (Object.hasOwn(node, '__proto__')) return '__proto__';
  if (Object.hasOwn(node, 'constructor')) {
    const ctor = (node as Record<string, unknown>).constructor;
    if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) return 'constructor.prototype';
  }
  return undefined;
}

/** Keys that, copied onto an object, would reach its prototype, anywhere in `value`. */
function hasForbiddenKey(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? walk(value, 0) : undefined;
}

function walk(node: object, depth: number): string | undefined {
  if (depth >= MAX_DEPTH) return walkDeep(node);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      if (typeof item === 'object' && item !== null) {
        const found = walk(item, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }
  const found = forbiddenKeyOf(node);
  if (found !== undefined) return found;
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) {
      const inChild = walk(child, depth + 1);
      if (inChild !== undefined) return inChild;
    }
  }
  return undefined;
}

/** The same walk with an explicit stack: any depth, no recursion. */
function walkDeep(value: object): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    const found = forbiddenKeyOf(node);
    if (found !== undefined) return found;
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
