/**
 * Owns the inspector's HTTP surface, relative to wherever the app mounts it: the page at the mount
 * root, `api/callbacks` (the list), `api/callbacks/<id>` (one record with what is derived from it),
 * `api/callbacks/<id>/replay` (POST: run it again in this process), `api/stream` (server-sent
 * events, one per new record), `api/failed` and `api/failed/<source>/<job>/retry` (failed jobs of a
 * queue, e.g. BullMQ's failed set). One Web handler (`fetch`); the Node handler translates to it.
 * Routes are matched on the end of the path, so the mount prefix needs no configuration.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAccess } from './access.js';
import { PAGE, PAGE_HEADERS } from './page.js';
import type { CallbackRecord } from './record.js';

/** A record as the list shows it (the body and the query only in the detail). */
export type RecordSummary = Pick<
  CallbackRecord,
  'id' | 'time' | 'command' | 'kind' | 'requestId' | 'status' | 'decision' | 'code' | 'ms' | 'dispatched' | 'replayOf'
>;

export function summaryOf(record: CallbackRecord): RecordSummary {
  const { id, time, command, kind, requestId, status, decision, code, ms, dispatched, replayOf } = record;
  return { id, time, command, kind, requestId, status, decision, code, ms, dispatched, replayOf };
}

/** What the HTTP surface needs of the inspector. */
export interface InspectorApi {
  list(): readonly CallbackRecord[];
  detail(id: number): Record<string, unknown> | undefined;
  replay(id: number): Promise<unknown>;
  listen(listener: (record: CallbackRecord) => void): () => void;
  failed(): Promise<unknown>;
  retry(source: number, job: string): Promise<unknown>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: JSON_HEADERS });
}

/** The client's address from what a server passes as `fetch`'s second argument (Bun, Deno, @hono/node-server). */
function addressOf(request: Request, extra: unknown): string | undefined {
  const info = extra as
    | {
        remoteAddr?: { hostname?: string };
        requestIP?: (request: Request) => { address?: string } | null;
        incoming?: { socket?: { remoteAddress?: string } };
        address?: string;
      }
    | undefined;
  if (info === undefined || info === null) return undefined;
  if (typeof info.address === 'string') return info.address;
  if (typeof info.remoteAddr?.hostname === 'string') return info.remoteAddr.hostname;
  if (typeof info.requestIP === 'function') return info.requestIP(request)?.address ?? undefined;
  return info.incoming?.socket?.remoteAddress;
}

const KEEPALIVE_MS = 15_000;

function stream(api: InspectorApi): Response {
  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop?.();
        }
      };
      const unlisten = api.listen((record) => send(`event: callback\ndata: ${JSON.stringify(summaryOf(record))}\n\n`));
      const timer = setInterval(() => send(': keep-alive\n\n'), KEEPALIVE_MS);
      timer.unref?.();
      stop = () => {
        unlisten();
        clearInterval(timer);
      };
      send('retry: 2000\n: connected\n\n');
    },
    cancel() {
      stop?.();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    },
  });
}

async function route(api: InspectorApi, request: Request, url: URL): Promise<Response> {
  const path = url.pathname;
  const get = request.method === 'GET' || request.method === 'HEAD';
  if (get && path.endsWith('/api/callbacks')) return json(api.list().map(summaryOf));
  if (get && path.endsWith('/api/stream')) return stream(api);
  if (get && path.endsWith('/api/failed')) return json(await api.failed());
  const record = path.match(/\/api\/callbacks\/(\d+)$/);
  const replay = path.match(/\/api\/callbacks\/(\d+)\/replay$/);
  const retry = path.match(/\/api\/failed\/(\d+)\/([^/]+)\/retry$/);
  if (record !== null && get) {
    const detail = api.detail(Number(record[1]));
    return detail === undefined
      ? json({ error: 'no such record (the buffer keeps the last ones)' }, 404)
      : json(detail);
  }
  if (replay !== null && request.method === 'POST') {
    try {
      return json(await api.replay(Number(replay[1])));
    } catch (error) {
      return json({ error: (error as Error).message }, 409);
    }
  }
  if (retry !== null && request.method === 'POST') {
    try {
      return json(await api.retry(Number(retry[1]), decodeURIComponent(retry[2] as string)));
    } catch (error) {
      return json({ error: (error as Error).message }, 409);
    }
  }
  if (path.includes('/api/')) return json({ error: 'not found' }, 404);
  if (!get) return json({ error: 'method not allowed' }, 405);
  // The page's links are relative (`api/callbacks`): it is served from a folder.
  if (!path.endsWith('/')) return new Response(null, { status: 308, headers: { location: `${path}/${url.search}` } });
  return new Response(request.method === 'HEAD' ? null : PAGE, { headers: PAGE_HEADERS });
}

/** The Web handler: `(request, info?) => Promise<Response>`; `info` is what the server passes (for the client address). */
export function createFetch(api: InspectorApi, token: string | undefined) {
  return async function fetch(request: Request, info?: unknown): Promise<Response> {
    const access = checkAccess(request, addressOf(request, info), token);
    if (!access.ok) return access.response;
    return route(api, request, new URL(request.url));
  };
}

type NodeRequest = IncomingMessage & { originalUrl?: string };

/**
 * The Node handler `(req, res)`: Express (`app.use(path, inspector.node)`; `originalUrl` is the
 * full path), Koa (`ctx.req`, `ctx.res`), Fastify (`request.raw`, `reply.raw`) and `node:http`.
 */
export function createNode(fetch: (request: Request, info?: unknown) => Promise<Response>) {
  return function node(req: NodeRequest, res: ServerResponse): void {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    }
    const host = req.headers.host ?? 'localhost';
    const scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
    let request: Request;
    try {
      request = new Request(new URL(req.originalUrl ?? req.url ?? '/', `${scheme}://${host}`), {
        method: req.method ?? 'GET',
        headers,
      });
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request\n');
      return;
    }
    req.resume(); // no route reads a body
    fetch(request, { address: req.socket.remoteAddress }).then(
      async (response) => {
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          out[name] = value;
        });
        res.writeHead(response.status, out);
        if (response.body === null) {
          res.end();
          return;
        }
        res.flushHeaders();
        const reader = response.body.getReader();
        res.on('close', () => {
          reader.cancel().catch(() => undefined);
        });
        for (;;) {
          const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (done || res.destroyed) break;
          res.write(value);
        }
        res.end();
      },
      () => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('inspector failure\n');
      },
    );
  };
}
