import { describe, expect, it } from 'vitest';
import { Experiment, PolyaxonClient } from '../../src/index.node';
import { MemoryStore, ScriptedTransport } from '../../src/testing';

/** What users of `polyaxon-tracking/testing` do: track an experiment with no server at all. */
describe('the shipped test helpers', () => {
  it('run an Experiment on a MemoryStore and a ScriptedTransport, recording every request', async () => {
    const transport = new ScriptedTransport();
    // One distinct host per test: the outbox is shared per server and credentials.
    const client = new PolyaxonClient({ host: 'scripted.test', port: 8000, token: 't', env: {} });
    const experiment = new Experiment({
      project: 'mnist',
      client,
      trackGit: false,
      trackEnv: false,
      trackLogs: false,
      outbox: { store: new MemoryStore(), transport: transport.send, flushIntervalMs: 10 },
    });
    await experiment.create({ name: 'scripted' });
    experiment.logMetrics({ step: 1, loss: 0.5 });
    experiment.succeeded();
    expect(await experiment.flush({ timeoutMs: 5_000 })).toBe(true);

    expect(experiment.stats()?.outbox.storage).toBe('memory');
    const calls = transport.requests.map((request) => `${request.method} ${new URL(request.url).pathname}`);
    expect(calls).toEqual([
      'GET /api/v1/users/',
      'POST /api/v1/tester/mnist/experiments/',
      'POST /api/v1/tester/mnist/experiments/1/statuses/',
      'POST /api/v1/tester/mnist/experiments/1/metrics/',
      'POST /api/v1/tester/mnist/experiments/1/statuses/',
    ]);
    expect(transport.requests[3].json).toEqual([{ values: { step: 1, loss: 0.5 }, created_at: expect.any(String) }]);
    expect(transport.requests[4].json).toEqual({ status: 'succeeded' });
    await experiment.close();
  });
});
