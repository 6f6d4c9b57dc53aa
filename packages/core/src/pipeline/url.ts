/**
 * Owns reading a request URL the one way every adapter and the fetch handler share: its query part
 * (`queryOf`, without a fragment) and whether that query names a command (`hasCallbackCommand`,
 * how a middleware mounted at the root tells a callback from the app's other POSTs).
 */
import { bracketBase } from './query.js';

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
  const lower = name.toLowerCase();
  return lower === 'callbackcommand' || bracketBase(name) === 'callbackcommand';
}

/**
 * Whether a raw query names a `CallbackCommand` parameter (any case, percent-encoded or not), which
 * is how a callback is told from the app's other POSTs at the root. Parameter names are parsed, not
 * searched for: `?q=callbackcommand` is not a callback. A name that is not valid percent-encoding
 * is compared as written.
 */
export function hasCallbackCommand(rawQuery: string): boolean {
  const text = rawQuery.charCodeAt(0) === 63 /* ? */ ? rawQuery.slice(1) : rawQuery;
  let from = 0;
  while (from < text.length) {
    let end = text.indexOf('&', from);
    if (end === -1) end = text.length;
    const eq = text.indexOf('=', from);
    const name = text.slice(from, eq === -1 || eq > end ? end : eq);
    if (name.length >= 15) {
      if (isCommandName(name)) return true;
      if (name.indexOf('%') !== -1 || name.indexOf('+') !== -1) {
        try {
          if (isCommandName(decodeURIComponent(name.replace(/\+/g, ' ')))) return true;
        } catch {
          // Not a parameter name this function can read: not a command.
        }
      }
    }
    from = end + 1;
  }
  return false;
}
