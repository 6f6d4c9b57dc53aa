// The jest transform: @swc/jest with the repo's settings, plus what loading NestJS 12 (published as
// ESM only) into jest's CommonJS module registry needs: `import.meta.url` becomes this file's URL
// (swc's CommonJS output keeps it, which CommonJS cannot parse). Sources without it are untouched.
const { createTransformer } = require('@swc/jest');

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const REPLACEMENT = "require('node:url').pathToFileURL(__filename).href";
// Changing what this file does must change every cache key.
const VERSION = 'import-meta-url-1';

module.exports = {
  createTransformer(options) {
    const swc = createTransformer(options);
    const rewrite = (source) =>
      source.includes('import.meta') ? source.replace(IMPORT_META_URL, REPLACEMENT) : source;
    return {
      ...swc,
      process: (source, path, jestOptions) => swc.process(rewrite(source), path, jestOptions),
      processAsync: (source, path, jestOptions) => swc.processAsync(rewrite(source), path, jestOptions),
      getCacheKey: (source, path, jestOptions) => `${swc.getCacheKey(source, path, jestOptions)}:${VERSION}`,
    };
  },
};
