/** One jest run for the whole monorepo; packages are tested from their TypeScript sources. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    // Examples are plain ESM (.mjs) that run without a loader; jest compiles them like the TS sources.
    '^.+\\.(m?js|tsx?)$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: {
    '^@im-callbacks/example-shared$': '<rootDir>/examples/shared/src/index.mjs',
    '^@im-callbacks/core/(adapter|catalogue)$': '<rootDir>/packages/core/src/$1.ts',
    '^@im-callbacks/test-helpers/samples$': '<rootDir>/packages/test-helpers/src/samples.ts',
    '^@im-callbacks/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  // cookie 2 is ESM only; light-my-request (Fastify 5's inject) requires it, so jest compiles it.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/cookie@[^/]+/node_modules/)?cookie/)'],
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.cjs'],
  testTimeout: 20000,
};
