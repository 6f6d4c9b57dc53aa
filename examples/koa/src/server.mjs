// Runs the example: IM_SDKAPPID (required), IM_CALLBACK_TOKEN (recommended), PORT (default 3000).
import { start } from './app.mjs';

const sdkAppId = process.env.IM_SDKAPPID;
if (!sdkAppId) {
  console.error('Set IM_SDKAPPID to your SDKAppID (and IM_CALLBACK_TOKEN to the console callback token).');
  process.exit(1);
}
const { url } = await start({
  sdkAppId,
  token: process.env.IM_CALLBACK_TOKEN || undefined,
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '0.0.0.0',
});
console.log(`Listening for IM callbacks on ${url} (set this URL in the IM console)`);
