// Smoke test (a): the packages as `import` loads them (their ESM builds).

import * as bullmq from '@im-callbacks/bullmq';
import * as core from '@im-callbacks/core';
import * as adapter from '@im-callbacks/core/adapter';
import * as catalogue from '@im-callbacks/core/catalogue';
import * as express from '@im-callbacks/express';
import * as fastify from '@im-callbacks/fastify';
import * as inspector from '@im-callbacks/inspector';
import * as koa from '@im-callbacks/koa';
import * as opentelemetry from '@im-callbacks/opentelemetry';
import * as serverless from '@im-callbacks/serverless';
import * as testing from '@im-callbacks/testing';
import expressLib from 'express';
import fastifyLib from 'fastify';
import koaLib from 'koa';
import checks from './checks.cjs';

const { createReceiver } = core;
const { imCallbacks } = express;
if (typeof createReceiver !== 'function' || typeof imCallbacks !== 'function') throw new Error('named imports missing');
for (const specifier of ['@im-callbacks/core', '@im-callbacks/core/adapter', '@im-callbacks/core/catalogue']) {
  const resolved = import.meta.resolve(specifier);
  if (!resolved.endsWith('.js')) throw new Error(`${specifier}: import resolved ${resolved}, not the ESM build`);
}
if (typeof bullmq.bullmqHandoff !== 'function' || typeof bullmq.redisDedupeStore !== 'function')
  throw new Error('@im-callbacks/bullmq: named imports missing');
for (const [name, module] of Object.entries({
  core,
  adapter,
  catalogue,
  express,
  koa,
  fastify,
  testing,
  opentelemetry,
  inspector,
  serverless,
  bullmq,
})) {
  // A namespace loaded through `require` semantics would show a lone `default` (or `module.exports`).
  if (Object.keys(module).length < 2) throw new Error(`${name}: the ESM namespace has no named exports`);
}

await checks.run(
  {
    core,
    adapter,
    catalogue,
    express,
    koa,
    fastify,
    testing,
    opentelemetry,
    inspector,
    serverless,
    expressLib,
    koaLib,
    fastifyLib,
  },
  (line) => console.log(`  esm ${line}`),
);
