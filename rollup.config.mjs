// Builds every file named by package.json (`exports`, `bin`, `unpkg`) into dist/.
// The build, not runtime sniffing, picks the environment adapter: the node outputs come from
// src/index.node.ts, the browser outputs from src/index.browser.ts (see DESIGN.md).
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// The server's optional better-sqlite3 (a native addon) is loaded at run time, never bundled.
const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})];
const SHEBANG = '#!/usr/bin/env node';

/** Runtime dependencies (and their subpaths, e.g. `zod/mini`) and Node built-ins stay imports. */
function isExternal(id) {
  if (id.startsWith('node:') || builtinModules.includes(id)) return true;
  return dependencies.some((name) => id === name || id.startsWith(`${name}/`));
}

/** Node built-ins are never bundled, even where everything else is (the script-tag build). */
function isNodeBuiltin(id) {
  return id.startsWith('node:') || builtinModules.includes(id);
}

/**
 * Emit overrides over tsconfig.json, which is set up for `tsc --noEmit` over src and test.
 * `noCheck`: type errors are `npm run typecheck`'s job; the build only strips types, which keeps
 * it quick and independent of unrelated errors.
 */
function ts() {
  return typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts'],
    compilerOptions: {
      noEmit: false,
      noCheck: true,
      declaration: false,
      declarationMap: false,
      sourceMap: true,
      // Native class fields and #private (Chrome 94, Safari 15, Firefox 93, Node 16): no helpers.
      target: 'ES2022',
    },
  });
}

/** The CLI must be runnable as `polyaxon-tracking` after `npm install`: one shebang, executable bit. */
function executableEntry() {
  return {
    name: 'executable-entry',
    // A shebang in the source would otherwise be emitted beside the banner's.
    transform(code) {
      if (code.startsWith('#!')) return { code: code.replace(/^#![^\n]*/, ''), map: null };
      return null;
    },
    writeBundle(options) {
      if (options.file) chmodSync(options.file, 0o755);
    },
  };
}

/** zod's own sources trip two harmless warnings (a misplaced pure annotation, an internal cycle). */
function onwarn(warning, warn) {
  const inDependency = (warning.ids ?? [warning.id ?? '']).every((id) => id.includes('/node_modules/'));
  if (inDependency && (warning.code === 'INVALID_ANNOTATION' || warning.code === 'CIRCULAR_DEPENDENCY')) return;
  warn(warning);
}

const sourceExists = (path) => existsSync(new URL(path, import.meta.url));

/** A build that leaves dependencies and Node built-ins as imports (npm users install them). */
function libraryBuild(input, output, plugins = []) {
  return { input, external: isExternal, plugins: [...plugins, ts()], output };
}

/**
 * One bundled declaration file for an entry. `stripInternal`: members marked `@internal` (the
 * runtime an experiment was handed, its queue, the registry's end hooks) are not part of the
 * published surface, which test/api-surface/ keeps.
 */
function typesBuild(input, file) {
  return { input, external: isExternal, plugins: [dts({ tsconfig: './tsconfig.json', compilerOptions: { stripInternal: true } })], output: { file, format: 'es' } };
}

const esmAndCjs = (name) => [
  { file: `dist/${name}.mjs`, format: 'es', sourcemap: true },
  { file: `dist/${name}.cjs`, format: 'cjs', sourcemap: true, exports: 'named' },
];

// One `<script>` tag: everything bundled, browser builds of the dependencies chosen.
const scriptTag = {
  input: 'src/index.browser.ts',
  external: isNodeBuiltin,
  plugins: [
    nodeResolve({ browser: true, exportConditions: ['browser', 'module', 'import', 'default'] }),
    ts(),
  ],
  output: {
    file: 'dist/polyaxon-tracking.iife.min.js',
    format: 'iife',
    name: 'PolyaxonTracking',
    exports: 'named',
    sourcemap: true,
    plugins: [terser({ ecma: 2020, format: { comments: false } })],
  },
};

/**
 * The dashboard (src/dashboard, Preact and uPlot bundled in): static files in dist/dashboard/ that
 * the server ships, never imported by the client builds. Script and style names carry a content
 * hash, so the server caches them for good; index.html names them and carries no inline code (the
 * page's Content-Security-Policy allows none).
 */
function dashboardPage() {
  return {
    name: 'dashboard-page',
    buildStart() {
      rmSync(new URL('./dist/dashboard', import.meta.url), { recursive: true, force: true });
      this.addWatchFile('src/dashboard/styles.css');
    },
    generateBundle(_options, bundle) {
      const css = ['node_modules/uplot/dist/uPlot.min.css', 'src/dashboard/styles.css']
        .map((path) => readFileSync(new URL(`./${path}`, import.meta.url), 'utf8'))
        .join('\n');
      const style = this.getFileName(this.emitFile({ type: 'asset', name: 'app.css', source: css }));
      const icon = this.getFileName(this.emitFile({ type: 'asset', name: 'icon.svg', source: readFileSync(new URL('./src/dashboard/icon.svg', import.meta.url)) }));
      const script = Object.values(bundle).find((chunk) => chunk.type === 'chunk' && chunk.isEntry).fileName;
      const html = [
        '<!doctype html>',
        '<html lang="en">',
        '<head>',
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        '<meta name="referrer" content="no-referrer">',
        '<title>polyaxon-tracking</title>',
        `<link rel="icon" href="${icon}" type="image/svg+xml">`,
        `<link rel="stylesheet" href="${style}">`,
        `<script type="module" src="${script}"></script>`,
        '</head>',
        '<body><div id="app"><p class="boot">Loading…</p></div></body>',
        '</html>',
        '',
      ].join('\n');
      this.emitFile({ type: 'asset', fileName: 'index.html', source: html });
    },
  };
}

const dashboard = {
  input: 'src/dashboard/main.tsx',
  plugins: [
    nodeResolve({ browser: true }),
    typescript({
      tsconfig: './tsconfig.json',
      include: ['src/dashboard/**/*.ts', 'src/dashboard/**/*.tsx'],
      compilerOptions: { noEmit: false, noCheck: true, declaration: false, declarationMap: false, sourceMap: false, target: 'ES2022' },
    }),
    dashboardPage(),
  ],
  output: {
    dir: 'dist/dashboard',
    format: 'es',
    entryFileNames: 'assets/app-[hash].js',
    chunkFileNames: 'assets/[name]-[hash].js',
    assetFileNames: 'assets/[name]-[hash][extname]',
    plugins: [terser({ ecma: 2020, format: { comments: false } })],
  },
};

const builds = [
  libraryBuild('src/index.node.ts', esmAndCjs('index.node')),
  // `polyaxon-tracking/testing`: the in-memory store and scripted transport for users' own tests.
  libraryBuild('src/testing/index.ts', esmAndCjs('testing')),
  typesBuild('src/testing/index.ts', 'dist/testing.d.ts'),
  // Bundlers resolve ofetch, idb-keyval and zod themselves (and dedupe them with the app's copies).
  libraryBuild('src/index.browser.ts', { file: 'dist/index.browser.mjs', format: 'es', sourcemap: true }),
  scriptTag,
  typesBuild('src/api/index.ts', 'dist/index.d.ts'),
];

// The server and the CLI are written separately; each build is added once its source exists.
if (sourceExists('./src/server/index.ts')) {
  builds.push(libraryBuild('src/server/index.ts', esmAndCjs('server')), typesBuild('src/server/index.ts', 'dist/server.d.ts'));
}
if (sourceExists('./src/cli/main.ts')) {
  builds.push(
    libraryBuild('src/cli/main.ts', { file: 'dist/cli.mjs', format: 'es', banner: SHEBANG, sourcemap: true }, [executableEntry()]),
    // Started by the Node library as a process ends with records queued (src/node/exit-sender.ts).
    libraryBuild('src/cli/exit-sender-main.ts', { file: 'dist/exit-sender.mjs', format: 'es', sourcemap: true }),
  );
}

if (sourceExists('./src/dashboard/main.tsx')) builds.push(dashboard);

// `rollup -c --environment ONLY:dashboard` rebuilds the dashboard alone (while working on it).
const only = process.env.ONLY === 'dashboard' ? [dashboard] : builds;
export default only.map((build) => ({ ...build, onwarn }));
