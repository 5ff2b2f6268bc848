import type { OutputsStore, StoredOutput } from './outputs';

/** The two calls of `node:fs/promises` this store makes. */
interface NodeFs {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
}

// A specifier in a variable, with the bundlers' ignore hints: browser bundles (ours and the
// users') must neither resolve nor bundle a Node built-in; this module only loads it when a
// folder store is actually written to, which happens in Node only.
const NODE_FS = 'node:fs/promises';

/**
 * Node: keeps outputs as files under `folder` (`<folder>/<path>`, the layout the server uses), as
 * Polyaxon expects them under a run's outputs path in the cluster. Resolves with the path of the
 * output's last file (a model's `.json`).
 */
export function folderOutputsStore(folder: string): OutputsStore {
  const root = folder.replace(/[\\/]+$/, '');
  return {
    kind: 'folder',
    async put(output: StoredOutput): Promise<string> {
      const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS)) as NodeFs;
      let where = root;
      for (const file of output.files) {
        where = `${root}/${file.path}`;
        await fs.mkdir(where.slice(0, where.lastIndexOf('/')), { recursive: true });
        await fs.writeFile(where, file.bytes);
      }
      return where;
    },
  };
}
