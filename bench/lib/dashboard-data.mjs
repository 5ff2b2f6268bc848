/**
 * A small, realistic project for the dashboard's screenshots and by-hand checks: a learning-rate
 * and optimizer sweep with train/ and val/ metrics, one failed run with a traceback, one still
 * running, logs, an output file and a code reference, all logged through the library.
 */

/** Deterministic noise, so screenshots are the same from run to run. */
function noise(seed) {
  let state = seed * 9301 + 49297;
  return () => {
    state = (state * 9301 + 49297) % 233280;
    return state / 233280 - 0.5;
  };
}

const SWEEP = [
  { lr: 0.1, optimizer: 'sgd', batch_size: 64, dropout: 0.1 },
  { lr: 0.03, optimizer: 'sgd', batch_size: 64, dropout: 0.2 },
  { lr: 0.01, optimizer: 'adam', batch_size: 128, dropout: 0.2 },
  { lr: 0.003, optimizer: 'adam', batch_size: 128, dropout: 0.3 },
  { lr: 0.001, optimizer: 'adam', batch_size: 256, dropout: 0.3 },
  { lr: 0.0003, optimizer: 'rmsprop', batch_size: 256, dropout: 0.5 },
];

/** Logs the sweep into `project` of `serve` (bench/lib/serve-process.mjs); resolves when all was delivered. */
export async function logSweep(serve, project, { steps = 400 } = {}) {
  await serve.project(project);
  const runs = [];
  for (const [index, params] of SWEEP.entries()) {
    const experiment = await serve.experiment(project, {
      name: `${params.optimizer}-lr-${String(params.lr).replace(".", "_")}`,
      tags: [params.optimizer, index < 3 ? 'baseline' : 'tuned'],
      description: `MNIST dense network, ${params.optimizer} at learning rate ${params.lr}.`,
      outbox: { flushIntervalMs: 50 },
    });
    experiment.logParams({ ...params, epochs: 20, model: 'dense-256' });
    await experiment.logCodeRef({ head: null, commit: `3f9c2a1${index}b7e04d5c6a8f9e0d1c2b3a4f5e6d7c8b9`.slice(0, 40), branch: 'main', git_url: 'git@github.com:example/mnist.git', is_dirty: index === 4 });
    const random = noise(index + 1);
    const speed = Math.min(1, 0.2 + Math.abs(Math.log10(params.lr) + 2.3) * -0.25 + 0.9);
    const floor = 0.05 + Math.abs(Math.log10(params.lr) + 2.5) * 0.06;
    const last = index === 5 ? Math.floor(steps * 0.4) : index === 2 ? Math.floor(steps * 0.7) : steps;
    for (let step = 0; step < last; step += 1) {
      const progress = 1 - Math.exp(-(step / steps) * 6 * speed);
      const loss = floor + (2.3 - floor) * (1 - progress);
      experiment.logMetrics({
        step,
        'train/loss': loss * (1 + random() * 0.35),
        'train/acc': Math.min(0.999, 0.1 + 0.88 * progress * (1 - floor / 3) + random() * 0.03),
        ...(step % 10 === 0 ? { 'val/loss': loss * 1.08 * (1 + random() * 0.1), 'val/acc': Math.min(0.99, 0.1 + 0.85 * progress * (1 - floor / 3) + random() * 0.01) } : {}),
        'train/lr': params.lr * (step < steps / 2 ? 1 : 0.5),
      });
      if (step % 50 === 0) experiment.sendLogs(`epoch ${step / 20}: loss ${loss.toFixed(4)}`);
    }
    await serve.client.outputs.upload('local', project, experiment.id, 'model/model.json', JSON.stringify({ format: 'layers-model', step: last }));
    if (index === 2) experiment.failed('Loss became NaN at step 280', 'Traceback (most recent call last):\n  File "train.py", line 88, in <module>\n    model.fit(x, y)\n  File "train.py", line 61, in fit\n    raise FloatingPointError("loss is NaN")\nFloatingPointError: loss is NaN');
    else if (index !== 5) experiment.succeeded();
    runs.push(experiment);
  }
  for (const experiment of runs) await experiment.flush({ timeoutMs: 30_000 });
  return runs;
}
