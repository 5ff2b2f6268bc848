/**
 * The detached sender a Node process starts as it ends with records queued (src/node/exit-sender.ts
 * explains why). Built to dist/exit-sender.mjs; never run by hand. It waits for the process that
 * started it to be gone (its journal is adoptable only then), delivers the queue the way
 * `polyaxon-tracking sync` does, and exits by the job's deadline whatever happens.
 */
import { nodeEnvironment } from '../node/environment';
import { EXIT_JOB_VARIABLE, EXIT_TOKEN_VARIABLE, readExitSendJob, type ExitSendJob } from '../node/exit-sender';
import { isProcessAlive } from '../node/journal/ownership';
import { setLogLevel } from '../runtime/logger';
import { syncQueue } from './sync-queue';

const PARENT_POLL_MS = 20;

async function main(): Promise<void> {
  const given = readExitSendJob(process.env);
  // Nothing else in this process needs them; a child it might start must not inherit them.
  delete process.env[EXIT_JOB_VARIABLE];
  delete process.env[EXIT_TOKEN_VARIABLE];
  if (!given) return;
  const { job, token } = given;
  // The hard bound: a server that never answers, a journal that stays held, and still an end.
  setTimeout(() => process.exit(0), Math.max(0, job.deadline - Date.now())).unref();
  if (!(await parentGone(job))) return;
  setLogLevel('silent');
  await syncQueue({
    root: job.root,
    name: job.queue,
    settings: { ...job.settings, token, isOffline: false, noOp: false },
    deadline: job.deadline,
    environment: nodeEnvironment(),
    onProgress: () => {},
  });
}

/** Waits for the handing-over process to exit; false when it is still there at the deadline. */
async function parentGone(job: ExitSendJob): Promise<boolean> {
  while (isProcessAlive(job.pid)) {
    if (Date.now() >= job.deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, PARENT_POLL_MS));
  }
  return true;
}

main().finally(() => process.exit(0));
