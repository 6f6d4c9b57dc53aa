// The framework majors are installed under aliases (express4, express5) so one test run covers
// both; @types/express describes their shared API.
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'express5' {
  import express = require('express');
  export = express;
}
