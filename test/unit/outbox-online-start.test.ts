import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserEnvironment, reportsOnline } from '../../src/browser/environment';
import type { Environment, LifecycleHooks } from '../../src/runtime/environment';
import { logger } from '../../src/runtime/logger';
import { installedEnvironment, installEnvironment } from '../../src/runtime/installed';
import { Experiment } from '../../src/index.node';
import { nodeEnvironment } from '../../src/node/environment';
import { closeExperiments, experimentOn, startMnistServer } from '../fixtures/experiment-setup';
import { clientFor, eventually, startRecordingProxy, TEST_TOKEN } from '../helpers/local-server';
import { existingRun, outboxFixture } from '../helpers/outbox-fixture';

const installed = installedEnvironment();

/** The installed environment, reporting the network as `online` says at start. */
function environmentStarting(online: boolean, base: Environment = installed): Environment {
  return { ...base, isOnline: () => online };
}

afterEach(() => {
  installEnvironment(installed);
  vi.unstubAllGlobals();
  vi.useRealTimers();
  logger.resetWarnings();
});

describe('browser environment: the network state at start', () => {
  it('reads navigator.onLine of a page or Worker scope; only an explicit false is offline', () => {
    expect(reportsOnline({ navigator: { onLine: false } })).toBe(false);
    expect(reportsOnline({ navigator: { onLine: true } })).toBe(true);
    expect(reportsOnline({ navigator: {} })).toBe(true);
    expect(reportsOnline({})).toBe(true);
    const throwing = {
      get navigator(): { onLine?: unknown } {
        throw new Error('denied');
      },
    };
    expect(reportsOnline(throwing)).toBe(true);
  });

  it('asks the global navigator each time', () => {
    const environment = browserEnvironment();
    vi.stubGlobal('navigator', { onLine: false });
    expect(environment.isOnline?.()).toBe(false);
    vi.stubGlobal('navigator', { onLine: true });
    expect(environment.isOnline?.()).toBe(true);
  });
});

describe('outbox started while the runtime is offline', () => {
  beforeEach(() => vi.useFakeTimers());

  it('sends nothing and does not back off; the online signal sends everything', async () => {
    const { outbox, transport } = outboxFixture({ flushIntervalMs: 10, runtime: environmentStarting(false) });
    const run = await existingRun(outbox);
    for (let step = 0; step < 3; step++) outbox.append({ run, kind: 'metrics', body: { values: { step } } });
    const offline = outbox.flush({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await offline).toBe(false);
    expect(transport.requests).toEqual([]);
    expect(outbox.stats()).toMatchObject({ paused: true, pausedReason: 'offline', pending: 3 });
    expect(outbox.stats().retryAt).toBeUndefined();

    outbox.setOnline(true);
    const online = outbox.flush({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(100);
    expect(await online).toBe(true);
    expect(transport.requestsTo('/metrics/')).toHaveLength(1);
    expect(outbox.stats()).toMatchObject({ paused: false, pending: 0, sent: 3 });
  });

  it('sends at once when the runtime starts online or does not say (Node, even beside an offline navigator)', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    for (const environment of [environmentStarting(true), nodeEnvironment()]) {
      const { outbox, transport } = outboxFixture({ flushIntervalMs: 10, runtime: environment });
      const run = await existingRun(outbox);
      outbox.append({ run, kind: 'metrics', body: { values: { step: 0 } } });
      const flushed = outbox.flush({ timeoutMs: 5_000 });
      await vi.advanceTimersByTimeAsync(100);
      expect(await flushed).toBe(true);
      expect(transport.requestsTo('/metrics/')).toHaveLength(1);
    }
  });
});

describe('F09 experiment created while the page is offline', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('create() resolves after createTimeoutMs with nothing sent; the online event creates it and delivers its records', async () => {
    const local = await startMnistServer();
    cleanups.push(() => local.close());
    const proxy = await startRecordingProxy(local.port);
    cleanups.push(() => proxy.close(), () => closeExperiments());
    let hooks: LifecycleHooks | undefined;
    installEnvironment({
      ...environmentStarting(false, nodeEnvironment()),
      onLifecycle: (installedHooks) => {
        hooks = installedHooks;
        return () => {};
      },
    });
    const experiment: Experiment = experimentOn(
      { client: clientFor(proxy.port, TEST_TOKEN), outboxDir: local.outboxDir },
      { createTimeoutMs: 300, trackEnv: false },
    );
    await experiment.create({ name: 'opened-offline' });
    expect(experiment.id).toBeUndefined();
    for (let step = 0; step < 5; step++) experiment.logMetrics({ step, loss: 1 / (step + 1) });
    expect(await experiment.flush({ timeoutMs: 300 })).toBe(false);
    expect(proxy.requests).toEqual([]);
    expect(experiment.stats()?.outbox).toMatchObject({ pausedReason: 'offline' });
    expect(experiment.stats()?.outbox.retryAt).toBeUndefined();

    expect(hooks?.onOnline).toBeTypeOf('function');
    hooks!.onOnline!(true);
    const id = await eventually(() => experiment.id, 20_000);
    expect(await experiment.flush({ timeoutMs: 20_000 })).toBe(true);
    const metrics = (await local.client.experiment.getMetrics(local.user, 'mnist', id)).results;
    expect(metrics.map((metric) => metric.values.step)).toEqual([0, 1, 2, 3, 4]);
  });
});
