import type { TrackedExperiment } from './tracked-experiment';
import { withTimeout } from '../runtime/timeout';
import type { OutputFileBody, OutputTarget } from './output-types';

export type { OutputTarget } from './output-types';

export const DEFAULT_TARGET_TIMEOUT_MS = 5_000;

/** The experiment's server coordinates, waiting up to `timeoutMs` for a create in flight. */
export async function outputTarget(experiment: TrackedExperiment, timeoutMs: number = DEFAULT_TARGET_TIMEOUT_MS): Promise<OutputTarget> {
  const id = experiment.id ?? (await withTimeout(experiment.whenCreated, timeoutMs, undefined));
  if (id === undefined) throw new Error('the experiment has no server id yet (not created, offline, or refused)');
  const ref = experiment.projectRef;
  if (!ref) throw new Error('the experiment has no project');
  const user = ref.user ?? experiment.queue?.knownUser() ?? (await experiment.client.auth.getUser()).username;
  return { user, project: ref.project, id };
}

export async function uploadFiles(experiment: TrackedExperiment, target: OutputTarget, files: OutputFileBody[]): Promise<void> {
  for (const file of files) {
    await experiment.client.outputs.upload(target.user, target.project, target.id, file.path, file.bytes, { contentType: file.contentType });
  }
}
