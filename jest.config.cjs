/**
 * One jest run for the whole monorepo; packages are tested from their TypeScript sources.
 *
 * Two projects: everything, with NestJS 12 (the current major); and the NestJS tests again with
 * NestJS 11 (the packages/nestjs tests and the conformance suite's Nest targets only). Each maps
 * `@nestjs/*` to one folder that installs exactly that major (packages/nestjs/test/nest11, nest12),
 * so the app under test and @im-callbacks/nestjs share one Nest; the tests assert the version loaded.
 */
const NEST_PACKAGES = 'common|config|core|platform-express|platform-fastify|testing';

const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    // Examples are plain ESM (.mjs) that run without a loader; jest compiles them like the TS sources.
    // Decorators (legacy, with metadata: what NestJS apps use) change nothing in code without them.
    '^.+\\.(m?js|tsx?)$': [
      '<rootDir>/scripts/jest-swc-transform.cjs',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  // cookie 2 is ESM only; light-my-request (Fastify 5's inject) requires it, so jest compiles it.
  // NestJS 12 and its ESM-only dependencies (load-esm, file-type and theirs) likewise.
  transformIgnorePatterns: [
    '/node_modules/(?!(\\.pnpm/((cookie|load-esm|file-type|strtok3|token-types|uint8array-extras|@tokenizer\\+[a-z-]+)@|@nestjs\\+[a-z-]+@12\\.)[^/]+/node_modules/)?(cookie|@nestjs|load-esm|file-type|strtok3|token-types|uint8array-extras|@tokenizer)/)',
  ],
};

const moduleNameMapper = {
  '^@im-callbacks/example-shared$': '<rootDir>/examples/shared/src/index.mjs',
  '^@im-callbacks/core/(adapter|catalogue)$': '<rootDir>/packages/core/src/$1.ts',
  '^@im-callbacks/test-helpers/samples$': '<rootDir>/packages/test-helpers/src/samples.ts',
  '^@im-callbacks/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

/** `@nestjs/<name>[/subpath]` from the folder that installs NestJS `major`. */
const nest = (major) => ({
  [`^@nestjs/(${NEST_PACKAGES})((/.*)?)$`]: `<rootDir>/packages/nestjs/test/nest${major}/node_modules/@nestjs/$1$2`,
});

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'all (NestJS 12)',
      moduleNameMapper: { ...nest(12), ...moduleNameMapper },
      globals: { IM_NEST_MAJOR: 12 },
    },
    {
      ...base,
      displayName: 'NestJS 11',
      testMatch: ['<rootDir>/packages/nestjs/test/**/*.test.ts', '<rootDir>/test/conformance/conformance.test.ts'],
      moduleNameMapper: { ...nest(11), ...moduleNameMapper },
      // The conformance suite runs only its Nest targets here (test/conformance/targets/index.ts).
      globals: { IM_NEST_MAJOR: 11, IM_NEST_ONLY: true },
    },
  ],
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.cjs'],
  testTimeout: 20000,
};
