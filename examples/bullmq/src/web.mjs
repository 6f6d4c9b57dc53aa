// The web process: IM_SDKAPPID (required), IM_CALLBACK_TOKEN (recommended), PORT (default 3000),
// REDIS_URL (default redis://127.0.0.1:6379). Run as many as you like behind a load balancer.
import { serve } from '@im-callbacks/example-shared';
import { startWeb } from './app.mjs';

const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
await serve((options) => startWeb({ ...options, redis }));
