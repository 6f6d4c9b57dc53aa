/**
 * Owns who may see the inspector. Without a `token` option: loopback clients only, and only under
 * a loopback host name (a DNS-rebound name pointing at 127.0.0.1 is refused). With one: every
 * request carries it, as `Authorization: Bearer <token>`, or as the HttpOnly cookie a one-time
 * `?token=` sets (the cookie holds an HMAC of the token, never the token). Requests that change
 * something (replay, retry) also need the `x-im-inspector` header, which a cross-site form cannot
 * send, and an `Origin`, when there is one, of this very host.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const COOKIE = 'im_inspector';
export const WRITE_HEADER = 'x-im-inspector';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time equality of two strings (of any lengths). */
export function same(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The value of the session cookie for `token`. */
export function sessionOf(token: string): string {
  return createHmac('sha256', token).update('@im-callbacks/inspector session').digest('hex');
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

/** The request's host name (from its URL, which servers build from the `Host` header). */
function isLoopbackHost(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

function cookieValue(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export type Access = { readonly ok: true } | { readonly ok: false; readonly response: Response };

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };

function refuse(status: number, text: string, headers: Record<string, string> = {}): Access {
  return { ok: false, response: new Response(`${text}\n`, { status, headers: { ...TEXT, ...headers } }) };
}

/** The directory a cookie is scoped to: the page's folder. */
function cookiePath(pathname: string): string {
  const path = pathname.replace(/\/api\/.*$/, '/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** Whether `request` (from `address`) may proceed, or the answer that refuses it. */
export function checkAccess(request: Request, address: string | undefined, token: string | undefined): Access {
  const url = new URL(request.url);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    if (request.headers.get(WRITE_HEADER) !== '1') return refuse(403, `missing the ${WRITE_HEADER} header`);
    const origin = request.headers.get('origin');
    if (origin !== null && origin !== 'null' && new URL(origin).host !== url.host)
      return refuse(403, 'cross-origin request refused');
  }
  if (token === undefined) {
    if (!isLoopbackAddress(address))
      return refuse(403, 'the inspector answers loopback clients only (set its token option to open it further)');
    if (!isLoopbackHost(url.hostname)) return refuse(403, 'the inspector answers loopback host names only');
    return { ok: true };
  }
  const authorization = request.headers.get('authorization');
  if (authorization?.startsWith('Bearer ') && same(authorization.slice(7).trim(), token)) return { ok: true };
  const cookie = cookieValue(request.headers.get('cookie'), COOKIE);
  if (cookie !== undefined && same(cookie, sessionOf(token))) return { ok: true };
  const given = url.searchParams.get('token');
  if (given !== null && request.method === 'GET' && same(given, token)) {
    // One-time: the cookie from now on, and the token out of the address bar and the history.
    url.searchParams.delete('token');
    const secure = url.protocol === 'https:' ? '; Secure' : '';
    return refuse(303, 'signed in', {
      location: `${url.pathname}${url.search}`,
      'set-cookie': `${COOKIE}=${sessionOf(token)}; Path=${cookiePath(url.pathname)}; HttpOnly; SameSite=Strict${secure}`,
      'referrer-policy': 'no-referrer',
    });
  }
  return refuse(
    401,
    'the inspector needs its token: open it once with ?token=<token>, or send Authorization: Bearer <token>',
    {
      'www-authenticate': 'Bearer realm="im-callbacks inspector"',
    },
  );
}
