import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requests, startFaultRig, storedMetrics, type FaultRig } from '../helpers/fault-setup';

/**
 * reliability.md F33–F35 through a real Experiment, the fault proxy and the real local server:
 * what a value is at the call is what the server stores, and one odd value never costs its batch.
 */
let rig: FaultRig;

beforeEach(async () => {
  rig = await startFaultRig();
});
afterEach(async () => {
  await rig?.dispose();
});

describe('values at the call', () => {
  it('F33 a getter, a Proxy and a mutation after the call: the validated values are stored, the batch is whole', async () => {
    const experiment = rig.experiment();
    await experiment.create();
    const id = experiment.id!;
    const logged: Array<Record<string, number>> = [];
    for (let step = 0; step < 200; step++) {
      const loss = 1 / (step + 1);
      logged.push({ step, loss });
      if (step === 50) {
        let reads = 0;
        // 1st read: the value; every later read: NaN (what JSON turns into null).
        experiment.logMetrics({
          step,
          get loss() {
            return ++reads === 1 ? loss : Number.NaN;
          },
        });
      } else if (step === 100) {
        let reads = 0;
        const target: Record<string, number> = { step, loss };
        experiment.logMetrics(new Proxy(target, { get: (object, key) => (key === 'loss' && ++reads > 1 ? Number.NaN : Reflect.get(object, key)) }));
      } else if (step === 150) {
        const values: Record<string, number> = { step, loss };
        experiment.logMetrics(values);
        values.loss = Number.NaN;
        values.extra = 1;
      } else {
        experiment.logMetrics({ step, loss });
      }
    }

    expect(await experiment.flush({ timeoutMs: 15_000 })).toBe(true);

    expect(await storedMetrics(rig.server, id)).toEqual(logged);
    expect(rig.proxy.log.filter(requests.metricsPost).every((request) => request.status === 201)).toBe(true);
    expect(experiment.stats()!.outbox.dropped).toMatchObject({ rejected: 0 });
  });
});
