import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { logger } from '../runtime/logger';
import type { TrackedExperiment } from './tracked-experiment';
import { outputTarget, uploadFiles } from './output-target';
import type { OutputsStore, StoredOutput } from './output-types';

/** Database and object store of kept outputs, apart from the outbox so neither can evict the other. */
const DATABASE = 'polyaxon-outputs';
const OBJECT_STORE = 'outputs';
const KEY_PREFIX = 'polyaxon-outputs/';

interface KeptOutput extends StoredOutput {
  savedAt: string;
}

let database: UseStore | undefined;
/** Opened on first use: importing this module never touches IndexedDB. */
const useDatabase = (): UseStore => (database ??= createStore(DATABASE, OBJECT_STORE));

/**
 * Browsers: keeps an output that could not be uploaded in IndexedDB under the key
 * `polyaxon-outputs/<run>/<name>` (database `polyaxon-outputs`), for `uploadStoredOutputs` to send
 * later. A newer save under the same name replaces the older one.
 */
export function indexedDbOutputsStore(): OutputsStore {
  return {
    kind: 'indexeddb',
    async put(output: StoredOutput): Promise<string> {
      const key = `${KEY_PREFIX}${output.run}/${output.name}`;
      const kept: KeptOutput = { ...output, savedAt: new Date().toISOString() };
      await set(key, kept, useDatabase());
      return key;
    },
  };
}

export interface StoredOutputsUpload {
  uploaded: string[];
  /** Keys still kept: their run has no known server id, or their upload failed. */
  left: string[];
}

/**
 * Uploads the outputs kept in IndexedDB and deletes each once it is on the server. Outputs of
 * `experiment`'s own run get its server id if they were kept before it had one; those of other
 * runs go to the experiment they were saved for, through `experiment`'s client.
 */
export async function uploadStoredOutputs(experiment: TrackedExperiment): Promise<StoredOutputsUpload> {
  const result: StoredOutputsUpload = { uploaded: [], left: [] };
  const store = useDatabase();
  for (const key of await keys(store)) {
    if (typeof key !== 'string' || !key.startsWith(KEY_PREFIX)) continue;
    const kept = await get<KeptOutput>(key, store);
    if (!kept) continue;
    try {
      const target = kept.target ?? (kept.run === experiment.run ? await outputTarget(experiment) : undefined);
      if (!target) {
        result.left.push(key);
        continue;
      }
      await uploadFiles(experiment, target, kept.files);
      await del(key, store);
      result.uploaded.push(key);
    } catch (error) {
      logger.debug(`kept output ${key} not uploaded yet`, error);
      result.left.push(key);
    }
  }
  return result;
}
