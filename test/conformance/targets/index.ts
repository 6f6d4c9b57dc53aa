import type { Target } from '../target';
import { expressTargets } from './express';
import { fetchTarget } from './fetch';

export const targets: Target[] = [...expressTargets, fetchTarget];
