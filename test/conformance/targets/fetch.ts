/**
 * The Web-standard handler (`receiver.fetch`) behind a minimal Node bridge: the request becomes a
 * `Request` with a streamed body, the `Response` is written back as it is.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createReceiver } from '@im-callbacks/core';
import { attachHandlers } from '@im-callbacks/core/adapter';
import type { AnyHandlers, RunningTarget, Target, TargetOptions } from '../target';

export const fetchTarget: Target = {
  name: 'fetch',
  async start(options: TargetOptions): Promise<RunningTarget> {
    const { upstream: _upstream, ...receiverOptions } = options;
    const receiver = createReceiver(receiverOptions);
    const server = createServer(async (req, res) => {
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : (Readable.toWeb(req) as ReadableStream);
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body,
        duplex: 'half',
      } as RequestInit);
      const response = await receiver.fetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url: `${base}/im/callback`,
      otherUrl: undefined,
      im: attachHandlers<AnyHandlers & { receiver: typeof receiver }>({}, receiver),
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};
