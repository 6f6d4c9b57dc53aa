import type { AddressInfo } from 'node:net';
import { imCallbacks } from '@im-callbacks/express';
import express4 from 'express4';
import express5 from 'express5';
import type { RunningTarget, Target, TargetOptions } from '../target';

type ExpressFactory = typeof express5;

function expressTarget(name: string, express: ExpressFactory): Target {
  return {
    name,
    async start(options: TargetOptions): Promise<RunningTarget> {
      const { upstream = 'none', sdkAppId, ...rest } = options;
      const app = express();
      // Body parsers as apps use them, app-wide, before the callback middleware.
      if (upstream === 'json') app.use(express.json());
      if (upstream === 'text') app.use(express.text());
      if (upstream === 'raw') app.use(express.raw({ type: () => true }));
      const im = imCallbacks(sdkAppId, { ...rest, path: '/im/callback' });
      app.use(im);
      app.all('/other', (_req, res) => {
        res.type('text/plain').send('other');
      });
      const server = await new Promise<import('node:http').Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
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

export const expressTargets: Target[] = [
  expressTarget('express 4', express4 as unknown as ExpressFactory),
  expressTarget('express 5', express5),
];
