// Smoke test (b): the packages as `require` loads them (their CommonJS builds).
const checks = require('./checks.cjs');

const core = require('@im-callbacks/core');
const builds = {
  core,
  adapter: require('@im-callbacks/core/adapter'),
  catalogue: require('@im-callbacks/core/catalogue'),
  express: require('@im-callbacks/express'),
  koa: require('@im-callbacks/koa'),
  fastify: require('@im-callbacks/fastify'),
  testing: require('@im-callbacks/testing'),
  opentelemetry: require('@im-callbacks/opentelemetry'),
  inspector: require('@im-callbacks/inspector'),
  serverless: require('@im-callbacks/serverless'),
};
const bullmq = require('@im-callbacks/bullmq');
if (typeof bullmq.createCallbackWorker !== 'function' || typeof bullmq.redisDedupeStore !== 'function')
  throw new Error('@im-callbacks/bullmq: require gave no createCallbackWorker/redisDedupeStore');
for (const [name, resolved] of Object.entries({
  core: require.resolve('@im-callbacks/core'),
  adapter: require.resolve('@im-callbacks/core/adapter'),
  catalogue: require.resolve('@im-callbacks/core/catalogue'),
})) {
  if (!resolved.endsWith('.cjs')) throw new Error(`${name}: require resolved ${resolved}, not a .cjs build`);
}

checks
  .run({ ...builds, expressLib: require('express'), koaLib: require('koa'), fastifyLib: require('fastify') }, (line) =>
    console.log(`  cjs ${line}`),
  )
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
