/** Experiments for the benches: created on a local server, journal in the bench's temp folder. */
import { Experiment } from '../../dist/index.node.mjs';
import { PROJECT } from './local-server.mjs';

/** Creates the bench project once per server (a second create would be refused as a duplicate). */
export async function ensureProject(local) {
  if (local.projectCreated) return;
  await local.client.project.createProject({ name: PROJECT });
  local.projectCreated = true;
}

/**
 * A created, running experiment whose outbox journals under `local.outboxDirectory`. Console
 * capture and git are off: they only cost at create, and capture would take the bench's output.
 */
export async function runningExperiment(local, { name, outbox = {} } = {}) {
  await ensureProject(local);
  const experiment = new Experiment({
    project: PROJECT,
    client: local.client,
    trackLogs: false,
    trackGit: false,
    outbox: { directory: local.outboxDirectory, ...outbox },
  });
  await experiment.create({ name });
  if (experiment.id === undefined) throw new Error(`the experiment "${name}" was not created on the local server`);
  return experiment;
}

/** Ends the run and waits for the queue, so nothing is left for the exit hook once the server is gone. */
export async function finish(experiment, timeoutMs = 30_000) {
  experiment.succeeded();
  const delivered = await experiment.close({ timeoutMs });
  if (!delivered) throw new Error(`experiment ${experiment.id}: the queue was not delivered within ${timeoutMs} ms`);
}

/** A training-loop-like point: three keys, `step` one of them. */
export function point(step) {
  return { step, loss: 1 / (step + 1), acc: step / (step + 100) };
}
