import type { Target } from '../target';
import { expressTargets } from './express';
import { fastifyTargets } from './fastify';
import { fetchTarget } from './fetch';
import { koaTargets } from './koa';
import { nestTargets } from './nestjs';

/** Set by the "NestJS 11" jest project (jest.config.cjs): only the Nest targets, on that major. */
declare const IM_NEST_ONLY: boolean | undefined;
const nestOnly = typeof IM_NEST_ONLY !== 'undefined' && IM_NEST_ONLY;

export const targets: Target[] = nestOnly
  ? nestTargets
  : [...expressTargets, fetchTarget, ...koaTargets, ...fastifyTargets, ...nestTargets];
