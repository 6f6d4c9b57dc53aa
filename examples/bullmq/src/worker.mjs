// A worker process: IM_SDKAPPID (required), IM_CALLBACK_TOKEN, REDIS_URL (default redis://127.0.0.1:6379),
// CONCURRENCY (default 10). Run as many as the load needs; SIGTERM finishes the jobs in hand first.
import { startWorker } from './app.mjs';

const sdkAppId = process.env.IM_SDKAPPID;
if (!sdkAppId) {
  console.error('Set IM_SDKAPPID to your SDKAppID.');
  process.exit(1);
}
const { close } = await startWorker({
  sdkAppId,
  token: process.env.IM_CALLBACK_TOKEN || undefined,
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  concurrency: Number(process.env.CONCURRENCY ?? 10),
});
console.log('Worker taking jobs from the im-callbacks queue');
process.on('SIGTERM', () => {
  void close().then(() => process.exit(0));
});
