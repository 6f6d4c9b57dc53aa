/**
 * What the monorepo's test suites share (a private package, never built or published): the
 * per-command sample payloads (also `@im-callbacks/testing`'s, which re-exports them from its own
 * build), bodies with only a schema's required fields, raw HTTP clients, child processes on free
 * ports, and CPU time for cost bounds. Import it as `@im-callbacks/test-helpers`; a suite never reaches into another one's folder.
 */
export * from './cpu.js';
export * from './processes.js';
export * from './raw-http.js';
export * from './raw-request.js';
export * from './required-fields.js';
export * from './samples.js';
export * from './throwables.js';
