/**
 * Owns reading a request URL the one way every adapter and the fetch handler share: its query part
 * (`queryOf`, without a fragment) and whether that query names a command (`hasCallbackCommand`,
 * how a middleware mounted at the root tells a callback from the app's other POSTs).
 */
import { bracketBase, COMMAND_PARAMETER, scanParameters } from './query.js';

/**
 * The query part of a request URL: after the first `?`, without a `#` fragment; '' when there is
 * none. Every adapter and the fetch handler read the query through this, so a URL means the same
 * everywhere.
 */
export function queryOf(url: string | undefined): string {
  if (url === undefined) return '';
  let hash = url.indexOf('#');
  if (hash === -1) hash = url.length;
  const at = url.indexOf('?');
  return at === -1 || at > hash ? '' : url.slice(at + 1, hash);
}

function isCommandName(name: string): boolean {
  return name.toLowerCase() === COMMAND_PARAMETER || bracketBase(name) === COMMAND_PARAMETER;
}

/** Whether the parameter at `input[from, eq)` is named `CallbackCommand`, as `hasCallbackCommand` reads names. */
function namesCommand(_context: undefined, input: string, from: number, eq: number): boolean {
  // Shorter than `CallbackCommand` even when percent-encoded: not it.
  if (eq - from < COMMAND_PARAMETER.length) return false;
  const name = input.slice(from, eq);
  if (isCommandName(name)) return true;
  if (name.indexOf('%') === -1 && name.indexOf('+') === -1) return false;
  try {
    return isCommandName(decodeURIComponent(name.replace(/\+/g, ' ')));
  } catch {
    // Not a parameter name this function can read: not a command.
    return false;
  }
}

/**
 * Whether a raw query names a `CallbackCommand` parameter (any case, percent-encoded or not), which
 * is how a callback is told from the app's other POSTs at the root. Parameter names are parsed (by
 * the same scanner as the query itself), not searched for: `?q=callbackcommand` is not a callback.
 * A name that is not valid percent-encoding is compared as written.
 */
export function hasCallbackCommand(rawQuery: string): boolean {
  return scanParameters(rawQuery, namesCommand, undefined);
}
