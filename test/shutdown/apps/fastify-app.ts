/**
 * A Fastify app stopped by SIGTERM through `app.close()`: the plugin drains the receiver in its
 * preClose hook, before the server stops listening. RETURN_503=core turns Fastify's own 503 while
 * closing off, so the callbacks arriving meanwhile get core's SHUTTING_DOWN answer instead.
 */
import { imCallbacks } from '@im-callbacks/fastify';
import Fastify from 'fastify5';
import { closeTimeout, port, printResult, receiver } from './shared';

async function main(): Promise<void> {
  const app = Fastify({ return503OnClosing: process.env.RETURN_503 !== 'core' });
  await app.register(imCallbacks, { receiver, path: '/im/callback', closeTimeout });
  await app.listen({ port, host: '127.0.0.1' });

  process.once('SIGTERM', async () => {
    console.log('DRAINING');
    await app.close();
    // The drain the plugin's preClose hook awaited: close() is idempotent, so this is its result.
    printResult(await receiver.close());
    process.exit(0);
  });
}

void main();
