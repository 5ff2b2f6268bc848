/**
 * What each bundled dependency costs the script-tag build: the build is made again, in memory,
 * with the dependency's modules replaced by empty ones, and the gzip sizes compared. A marginal
 * figure: code of ours that exists only to call the dependency stays in both builds.
 */
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import terser from '@rollup/plugin-terser';

const CONFIG = new URL('../../rollup.config.mjs', import.meta.url);

/** Packages bundled into the IIFE, by the folders of node_modules they live in. */
export const BUNDLED = {
  'zod/mini': ['/node_modules/zod/'],
  'ofetch (with ufo, destr)': ['/node_modules/ofetch/', '/node_modules/ufo/', '/node_modules/destr/'],
  'idb-keyval': ['/node_modules/idb-keyval/'],
};

/** An empty module whose every import is a harmless function (the code is measured, never run). */
function emptied(folders) {
  return {
    name: 'emptied-dependency',
    load: (id) => (folders.some((folder) => id.includes(folder)) ? 'export default function empty() {}' : null),
  };
}

async function gzipBytes(config, plugins) {
  const bundle = await rollup({ ...config, plugins: [...plugins, ...config.plugins], shimMissingExports: true, onwarn() {} });
  try {
    const { output } = await bundle.generate({ ...config.output, sourcemap: false, plugins: [terser({ ecma: 2020, format: { comments: false } })] });
    return gzipSync(output[0].code, { level: 9 }).length;
  } finally {
    await bundle.close();
  }
}

/** Resolves with `{ total, shares: [{ name, bytes }] }`, gzip -9 bytes of the minified IIFE. */
export async function iifeShares() {
  const { default: builds } = await import(CONFIG.href);
  const iife = builds.find((build) => build.output?.format === 'iife');
  const total = await gzipBytes(iife, []);
  const shares = [];
  for (const [name, folders] of Object.entries(BUNDLED)) shares.push({ name, bytes: total - (await gzipBytes(iife, [emptied(folders)])) });
  return { total, shares };
}
