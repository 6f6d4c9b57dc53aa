/**
 * Koa 2 and 3: the middleware on a @koa/router route, after the app-wide body parser the
 * options name (kept rawBody where the parser can), with a plain `/other` route beside it.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { imCallbacks } from '@im-callbacks/koa';
import bodyParser from '@koa/bodyparser';
import Router from '@koa/router';
import koaBodyParser from 'koa-bodyparser';
import Koa2 from 'koa2';
import Koa3 from 'koa3';
import type { RunningTarget, Target, TargetOptions, Upstream } from '../target';

type Use = Parameters<Koa3['use']>[0];

/**
 * co-body, under both parsers, refuses a `__proto__` key itself (400 before the adapter runs);
 * koa-bodyparser lets that be turned off, so the suite can check the adapter's own protection.
 */
const letProtoThrough = { onProtoPoisoning: 'ignore' } as object;

const parsers: Record<Exclude<Upstream, 'none'>, () => Use> = {
  // JSON and forms, koa-bodyparser's defaults; rawBody kept.
  json: () => koaBodyParser({ ...letProtoThrough }) as unknown as Use,
  // JSON, forms and text/plain; rawBody kept.
  text: () => koaBodyParser({ enableTypes: ['json', 'form', 'text'], ...letProtoThrough }) as unknown as Use,
  // Every typed body read as text (the closest these parsers come to a raw buffer parser).
  raw: () => bodyParser({ enableTypes: ['text'], extendTypes: { text: ['*/*'] } }) as unknown as Use,
};

function koaTarget(name: string, Koa: typeof Koa3): Target {
  return {
    name,
    async start(options: TargetOptions): Promise<RunningTarget> {
      const { upstream = 'none', sdkAppId, ...rest } = options;
      const app = new Koa();
      if (upstream !== 'none') app.use(parsers[upstream]());
      const im = imCallbacks(sdkAppId, rest);
      const router = new Router();
      router.post('/im/callback', im);
      router.all('/other', (ctx) => {
        ctx.type = 'text/plain';
        ctx.body = 'other';
      });
      app.use(router.routes()).use(router.allowedMethods());
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        url: `${base}/im/callback`,
        otherUrl: `${base}/other`,
        im,
        close: () =>
          new Promise<void>((resolve) => {
            // Sockets of refused requests linger for a grace period; a test does not wait for it.
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    },
  };
}

export const koaTargets: Target[] = [koaTarget('koa 2', Koa2 as unknown as typeof Koa3), koaTarget('koa 3', Koa3)];
