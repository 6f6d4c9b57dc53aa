// Runs the example: IM_SDKAPPID (required), IM_CALLBACK_TOKEN (recommended), PORT (default 3000);
// IM_OTEL=1 prints an OpenTelemetry span per request and per callback (src/otel.mjs).
import { serve } from '@im-callbacks/example-shared';

if (process.env.IM_OTEL === '1') await import('./otel.mjs');
// Imported after the OpenTelemetry set-up: Express (and its node:http) load only now.
const { start } = await import('./app.mjs');

await serve(start);
