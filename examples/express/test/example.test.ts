// The example is plain JavaScript, run as users run it; TypeScript reads its types from the .mjs (allowJs).

import { describeExample } from '../../shared/suite.js';
import { start } from '../src/app.mjs';

describeExample('express', start);
