import { getEnvironment } from '../runtime/runtime';
import type { OutputsStore, StoredOutput } from './outputs';

/**
 * Keeps outputs as files under `folder` (`<folder>/<path>`, the layout the server uses), as
 * Polyaxon expects them under a run's outputs path in the cluster. Node only: the file writing is
 * the Node environment's, so no browser bundle carries a Node import. Resolves with the path of
 * the output's last file (a model's `.json`).
 */
export function folderOutputsStore(folder: string): OutputsStore {
  const root = folder.replace(/[\\/]+$/, '');
  return {
    kind: 'folder',
    async put(output: StoredOutput): Promise<string> {
      const writeFiles = getEnvironment().writeFiles;
      if (!writeFiles) throw new Error('outputs can be written to a folder in Node only');
      return writeFiles(root, output.files.map((file) => ({ path: file.path, bytes: file.bytes })));
    },
  };
}
