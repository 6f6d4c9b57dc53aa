// Runs the example: IM_SDKAPPID (required), IM_CALLBACK_TOKEN (recommended), PORT (default 3000).
import { serve } from '@im-callbacks/example-shared';
import { start } from './app.js';

await serve(start);
