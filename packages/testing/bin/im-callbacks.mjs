#!/usr/bin/env node
// The im-callbacks tool: `im-callbacks replay`, `im-callbacks fixtures`, and sending (as im-callbacks-send). `--help` for usage.
import { cli } from '../dist/index.js';

process.exitCode = await cli(process.argv.slice(2));
