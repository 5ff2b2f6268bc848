import type { Environment } from '../runtime/environment';
import { installedEnvironment } from '../runtime/installed';
import type { OutputsStore, StoredOutput } from './output-types';

/**
 * Keeps outputs as files under `folder` (`<folder>/<path>`, the layout the server uses), as
 * Polyaxon expects them under a run's outputs path in the cluster. Node only: the file writing is
 * the Node environment's, so no browser bundle carries a Node import. Resolves with the path of
 * the output's last file (a model's `.json`).
 */
export function folderOutputsStore(folder: string): OutputsStore;
/** @internal With the runtime that writes the files (an experiment's); without, the installed one. */
export function folderOutputsStore(folder: string, runtime: Pick<Environment, 'writeFiles'>): OutputsStore;
export function folderOutputsStore(folder: string, runtime: Pick<Environment, 'writeFiles'> = installedEnvironment()): OutputsStore {
  const root = folder.replace(/[\\/]+$/, '');
  return {
    kind: 'folder',
    async put(output: StoredOutput): Promise<string> {
      const writeFiles = runtime.writeFiles;
      if (!writeFiles) throw new Error('outputs can be written to a folder in Node only');
      return writeFiles(root, output.files.map((file) => ({ path: file.path, bytes: file.bytes })));
    },
  };
}
