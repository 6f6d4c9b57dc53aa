// One build for every package (run from the package folder): ESM + CJS, declarations for both.
// The entries are the package's `exports`: every subpath `./x` (or `.`) whose import default is
// `./dist/x.js` is built from `src/x.ts`, so the build and the published paths cannot drift apart.
import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

interface ExportConditions {
  import?: { default?: string };
}

function entriesFromExports(): Record<string, string> {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    name: string;
    exports: Record<string, ExportConditions | string>;
  };
  const entry: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue; // ./package.json
    const built = target.import?.default?.match(/^\.\/dist\/(.+)\.js$/);
    if (!built) throw new Error(`${pkg.name}: exports["${subpath}"].import.default is not ./dist/<name>.js`);
    const name = built[1] as string;
    const source = `src/${name}.ts`;
    if (!existsSync(source))
      throw new Error(`${pkg.name}: exports["${subpath}"] needs ${source}, which does not exist`);
    entry[name] = source;
  }
  return entry;
}

export default defineConfig({
  entry: entriesFromExports(),
  format: ['esm', 'cjs'],
  dts: true,
  // Shared chunks in both formats: with several entries, each CJS entry would otherwise carry its
  // own copy of the shared modules (two `ImCallbackError` classes, `instanceof` failing across them).
  splitting: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
