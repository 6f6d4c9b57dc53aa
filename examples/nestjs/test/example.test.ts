// The example's own end-to-end test: the suite every example passes (signed callbacks over HTTP, the
// moderation in-process on its receiver), on the NestJS app.
import { describeExample } from '../../shared/suite.js';
import { start } from '../src/app.js';

describeExample('nestjs', start);
