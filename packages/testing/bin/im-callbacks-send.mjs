#!/usr/bin/env node
// `im-callbacks send` under its original name: fires realistic, signed Tencent IM callbacks at a URL.
// `im-callbacks-send --help` for usage.
process.argv.splice(2, 0, 'send');
await import('./im-callbacks.mjs');
