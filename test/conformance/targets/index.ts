import type { Target } from '../target';
import { expressTargets } from './express';
import { fastifyTargets } from './fastify';
import { fetchTarget } from './fetch';
import { koaTargets } from './koa';

export const targets: Target[] = [...expressTargets, fetchTarget, ...koaTargets, ...fastifyTargets];
