import { ValidationError } from '../runtime/errors';
import { getOutputsPath } from '../runtime/in-cluster';
import { logger } from '../runtime/logger';
import { outputPathProblem } from '../wire/output-path';
import type { TrackedExperiment } from './tracked-experiment';
import { outputTarget, uploadFiles } from './output-target';
import type { OutputFileBody, OutputsStore, OutputTarget, StoredOutput } from './output-types';
import { folderOutputsStore } from './outputs-folder';
import { indexedDbOutputsStore } from './outputs-idb';

export type { OutputFileBody, OutputsStore, StoredOutput } from './output-types';

/** Where an output went: uploaded to the server, or kept by a local store (and why). */
export type OutputsSaved =
  | { kind: 'uploaded'; target: OutputTarget; paths: string[] }
  | { kind: 'stored'; store: string; where: string; reason: string };

export interface OutputsOptions {
  /** Store for outputs that cannot be uploaded. Default: IndexedDB in browsers, the `outputsDir` folder in Node, else none (the upload error is thrown). */
  outputsStore?: OutputsStore;
  /** Node: folder for outputs that cannot be uploaded; in the cluster, overrides `POLYAXON_RUN_OUTPUTS_PATH`. Default: none. */
  outputsDir?: string;
  /** How long an upload waits for the experiment's server id (a create still in flight). Default: 5_000 ms. */
  targetTimeoutMs?: number;
}

/**
 * Saves an output of the run:
 * 1. in the cluster (managed), into the run's outputs path (`POLYAXON_RUN_OUTPUTS_PATH`), as
 *    Polyaxon mounts it there and has no upload API;
 * 2. else uploaded to the server's `experiments/{id}/outputs/{path}` (the local server has it);
 * 3. when that fails (offline, no server id yet, a real Polyaxon server that answers 404), kept by
 *    the local store (IndexedDB in browsers, for `uploadStoredOutputs` later; a folder in Node).
 *    Without a store the upload error is thrown.
 */
export async function saveOutput(experiment: TrackedExperiment, name: string, files: OutputFileBody[], options: OutputsOptions = {}): Promise<OutputsSaved> {
  const output: StoredOutput = { run: experiment.run, name, files };
  if (experiment.isManaged) {
    const folder = options.outputsDir ?? getOutputsPath(experiment.environment);
    if (folder) return storeLocally(options.outputsStore ?? folderOutputsStore(folder, experiment.environment), output, 'in the cluster, outputs go to the run outputs path');
  }
  let target: OutputTarget | undefined;
  try {
    target = await outputTarget(experiment, options.targetTimeoutMs);
    await uploadFiles(experiment, target, files);
    return { kind: 'uploaded', target, paths: files.map((file) => file.path) };
  } catch (error) {
    const store = options.outputsStore ?? defaultStore(experiment.environment, options.outputsDir);
    if (!store) throw error;
    const reason = (error as Error)?.message ?? String(error);
    logger.warnOnce(`outputs-stored:${store.kind}`, `an output could not be uploaded (${reason}); kept in ${store.kind} instead`);
    return storeLocally(store, { ...output, target }, reason);
  }
}

/** An output name: a path without extension, e.g. `model` or `checkpoints/epoch-3`. */
export function checkOutputName(name: unknown): string {
  const problem = outputPathProblem(name);
  if (problem) throw new ValidationError('name', problem);
  return name as string;
}

function defaultStore(environment: TrackedExperiment['environment'], outputsDir: string | undefined): OutputsStore | undefined {
  if (environment.kind === 'browser') return indexedDbOutputsStore();
  if (environment.kind === 'node' && outputsDir) return folderOutputsStore(outputsDir, environment);
  return undefined;
}

async function storeLocally(store: OutputsStore, output: StoredOutput, reason: string): Promise<OutputsSaved> {
  return { kind: 'stored', store: store.kind, where: await store.put(output), reason };
}
