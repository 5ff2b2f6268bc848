import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/index.node';
import { logger } from '../../src/runtime/logger';
import { directClient, FAULT_PROJECT, FAULT_USER, requests, startFaultRig, storedMetrics, type FaultRig } from '../helpers/fault-setup';
import { tf } from '../helpers/tfjs-model';

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

describe('one bad record in a batch', () => {
  it("F34 a 400 for a batch holding one bad record: split until it is alone; only it is dropped and counted with the server's message", async () => {
    const message = 'Ensure this value is at most 100.';
    // The server's refusal of the record with step 150, wherever it travels.
    rig.proxy.script(
      { kind: 'respond', status: 400, body: { values: [message] } },
      { count: Infinity, match: (request) => requests.metricsPost(request) && request.body.includes('"step":150,') },
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    logger.resetWarnings();
    const experiment = rig.experiment();
    await experiment.create();
    const logged: Array<Record<string, number>> = [];
    for (let step = 0; step < 200; step++) {
      experiment.logMetrics({ step, loss: 1 / (step + 1) });
      if (step !== 150) logged.push({ step, loss: 1 / (step + 1) });
    }

    expect(await experiment.flush({ timeoutMs: 15_000 })).toBe(true);
    const warnings = warn.mock.calls.map((call) => String(call[0]));
    warn.mockRestore();

    expect(await storedMetrics(rig.server, experiment.id!)).toEqual(logged);
    const stats = experiment.stats()!.outbox;
    expect(stats.dropped).toMatchObject({ rejected: 1, too_large: 0 });
    expect(stats.lastError).toMatchObject({ status: 400, message: `values: ${message}` });
    const refused = rig.proxy.log.filter((request) => request.status === 400).map((request) => (JSON.parse(request.body) as unknown[]).length);
    expect(refused[0]).toBe(200);
    expect(refused.at(-1)).toBe(1);
    expect(warnings.filter((line) => line.includes(message))).toHaveLength(1);
  });
});

describe('null and non-finite values', () => {
  it('F35 null is sent as JSON null and stored as null; undefined keys are left out', async () => {
    const experiment = rig.experiment();
    await experiment.create();
    experiment.logMetrics({ step: 0, loss: 0.5 });
    experiment.logMetrics({ step: 1, loss: null, acc: undefined });
    experiment.logMetrics({ step: 2, loss: 0.25 });

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);

    const [post] = rig.proxy.log.filter(requests.metricsPost);
    expect(post.body).toContain('"values":{"step":1,"loss":null}');
    expect(await storedMetrics(rig.server, experiment.id!)).toEqual([{ step: 0, loss: 0.5 }, { step: 1, loss: null }, { step: 2, loss: 0.25 }]);
    expect(experiment.stats()!.outbox.dropped.rejected).toBe(0);
  });

  it('F35 the TF.js callback sends a NaN or Infinity loss as null, counts it, warns once, and keeps every epoch', async () => {
    logger.resetWarnings();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const experiment = rig.experiment();
    await experiment.create();
    const callback = experiment.tfjsCallback(tf, { logParams: false }) as unknown as { onEpochEnd(epoch: number, logs: Record<string, number>): Promise<void> };
    await callback.onEpochEnd(0, { loss: 0.5, acc: 0.75 });
    await callback.onEpochEnd(1, { loss: Number.NaN, acc: 0.5 });
    await callback.onEpochEnd(2, { loss: Number.POSITIVE_INFINITY, acc: 0.25 });

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);
    const warnings = warn.mock.calls.map((call) => String(call[0]));
    warn.mockRestore();

    expect(await storedMetrics(rig.server, experiment.id!)).toEqual([
      { loss: 0.5, acc: 0.75, step: 0 },
      { loss: null, acc: 0.5, step: 1 },
      { loss: null, acc: 0.25, step: 2 },
    ]);
    expect(experiment.stats()!.adjusted).toEqual({ non_finite_as_null: 2, message_cut: 0 });
    expect(warnings.filter((line) => line.includes('sent as null'))).toHaveLength(1);
  });
});

const codeRef = (commit: string) => ({ commit, head: commit, branch: 'main', git_url: null, is_dirty: false });

describe('field limits at the call', () => {
  it('F43 a status message over 256 characters is cut to 256 with an ellipsis and counted', async () => {
    const experiment = rig.experiment();
    await experiment.create();
    const message = `RuntimeError: ${'x'.repeat(400)}`;
    experiment.failed(message, 'Traceback (most recent call last): ...');

    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);

    const statuses = await directClient(rig.server).experiment.getStatuses(FAULT_USER, FAULT_PROJECT, experiment.id!);
    const failed = statuses.results.find((status) => status.status === 'failed')!;
    expect(failed.message).toHaveLength(256);
    expect(failed.message).toBe(`${message.slice(0, 255)}…`);
    expect(experiment.stats()!.adjusted.message_cut).toBe(1);
    expect(experiment.stats()!.outbox.dropped.rejected).toBe(0);
  });

  it('F43 a commit over 40 characters is refused at the call, naming the field; nothing is queued', async () => {
    const experiment = rig.experiment();
    await experiment.create();
    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);
    const before = rig.proxy.log.length;

    const refused = await experiment.logCodeRef(codeRef('a'.repeat(64))).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused).toMatchObject({ field: 'codeRef.commit' });
    expect((refused as Error).message).toMatch(/at most 40 characters/);
    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(rig.proxy.log.length).toBe(before);
    await experiment.logCodeRef(codeRef('b'.repeat(40)));
    expect(await experiment.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(rig.proxy.log.filter((request) => request.path.endsWith('/coderef/'))).toHaveLength(1);
  });
});

describe('a full server disk, client half', () => {
  it('F37 507 for metrics is retried like 503: the same batch, nothing dropped, everything stored once', async () => {
    rig.proxy.script({ kind: 'respond', status: 507, body: { detail: 'Insufficient storage: the disk is full.' } }, { count: 2, match: requests.metricsPost });
    const experiment = rig.experiment();
    await experiment.create();
    const logged: Array<Record<string, number>> = [];
    for (let step = 0; step < 50; step++) {
      experiment.logMetrics({ step, loss: 1 / (step + 1) });
      logged.push({ step, loss: 1 / (step + 1) });
    }

    expect(await experiment.flush({ timeoutMs: 15_000 })).toBe(true);

    const [first, second, third] = rig.proxy.log.filter(requests.metricsPost);
    expect([first.status, second.status, third.status]).toEqual([507, 507, 201]);
    expect(third.body).toBe(first.body);
    expect(third.idempotencyKey).toBe(first.idempotencyKey);
    expect(await storedMetrics(rig.server, experiment.id!)).toEqual(logged);
    expect(Object.values(experiment.stats()!.outbox.dropped).every((count) => count === 0)).toBe(true);
  });
});
