#!/usr/bin/env node
// Fires realistic, signed Tencent IM callbacks at a URL. `im-callbacks-send --help` for usage.
import { cli } from '../dist/index.js';

process.exitCode = await cli(process.argv.slice(2));
