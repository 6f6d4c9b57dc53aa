/**
 * An Express app stopped as a deploy stops it, by SIGTERM: the README's recipe. The receiver drains
 * first (callbacks arriving meanwhile are answered 503 SHUTTING_DOWN while the server still
 * listens), then the server closes and the process exits.
 */
import { imCallbacks } from '@im-callbacks/express';
import express from 'express';
import { closeTimeout, port, printResult, receiver } from './shared';

const app = express();
app.post('/im/callback', imCallbacks(receiver));
const server = app.listen(port, '127.0.0.1');

process.once('SIGTERM', async () => {
  console.log('DRAINING');
  const drain = await receiver.close({ timeout: closeTimeout });
  printResult(drain);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
