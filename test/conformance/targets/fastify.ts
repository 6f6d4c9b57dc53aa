/**
 * Fastify 4 and 5: the plugin registered at '/im/callback' in an app whose own content-type
 * parsers are the ones the options name, with a plain `/other` route beside it.
 */
import { imCallbacks } from '@im-callbacks/fastify';
import Fastify4 from 'fastify4';
import Fastify5, { type FastifyInstance } from 'fastify5';
import type { RunningTarget, Target, TargetOptions } from '../target';

function fastifyTarget(name: string, Fastify: typeof Fastify5): Target {
  return {
    name,
    async start(options: TargetOptions): Promise<RunningTarget> {
      const { upstream = 'none', ...rest } = options;
      // Sockets of refused requests linger for a grace period; closing the app does not wait for it.
      const app = Fastify({ forceCloseConnections: true });
      // 'json' (and 'none'): Fastify's default JSON and text parsers.
      if (upstream === 'text') {
        app.removeContentTypeParser('text/plain');
        app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      }
      if (upstream === 'raw') {
        app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      }
      // closeTimeout: closing the app does not wait for handlers a test leaves hanging.
      await app.register(imCallbacks, { closeTimeout: 50, ...rest, path: '/im/callback' });
      // The other route takes any body (its own scoped parser), as the contract asks.
      await app.register(async (scope: FastifyInstance) => {
        if (upstream !== 'raw') {
          scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
        }
        scope.route({
          method: ['GET', 'POST'],
          url: '/other',
          handler: async (_request, reply) => reply.type('text/plain').send('other'),
        });
      });
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      return {
        url: `${base}/im/callback`,
        otherUrl: `${base}/other`,
        im: app.imCallbacks,
        close: () => app.close(),
      };
    },
  };
}

export const fastifyTargets: Target[] = [
  fastifyTarget('fastify 4', Fastify4 as unknown as typeof Fastify5),
  fastifyTarget('fastify 5', Fastify5),
];
