// `pnpm bench`: every benchmark, each reported as a ratio against a baseline run in the same process.
import { benchCore } from './core.bench.mjs';
import { benchHttp } from './http.bench.mjs';

console.log('Core pipeline (verify, parse, validate, dispatch, answer) vs JSON.parse of the same bytes');
console.table(await benchCore());
console.log('\nHTTP, keep-alive loopback, 16 concurrent; median of 3 alternating rounds');
console.table(await benchHttp());
