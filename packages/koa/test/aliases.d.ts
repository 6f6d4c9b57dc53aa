// The test aliases of Koa's two majors (root devDependencies `koa2`, `koa3`), typed by @types/koa.
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
declare module 'koa3' {
  import Koa = require('koa');
  export = Koa;
}
