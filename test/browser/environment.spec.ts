import { pathToFileURL } from 'node:url';
import type { PolyaxonClient as Client } from '../../src/api/index';
import { DIST, expect, test, type PolyaxonServerHandle } from './fixtures';

/** The Node build's client, to prepare and read back what the browser sent. */
async function nodeClient(server: PolyaxonServerHandle): Promise<Client> {
  const { PolyaxonClient } = (await import(pathToFileURL(`${DIST}/index.node.mjs`).href)) as { PolyaxonClient: typeof Client };
  return new PolyaxonClient({ host: server.host, port: server.port, token: server.token });
}

const injectedEnv = (server: PolyaxonServerHandle) => ({
  POLYAXON_API_HOST: server.host,
  POLYAXON_HTTP_PORT: server.port,
  POLYAXON_SECRET_USER_TOKEN: server.token,
});

const CODE_REF = { commit: 'abc123def456', branch: 'main', git_url: 'https://someone:hunter2@github.com/org/repo.git' };

test.describe('browser environment against the local server', () => {
  test('settings come from window.POLYAXON_ENV: a PolyaxonClient without options reaches the server', async ({ page, polyaxonServer }) => {
    await page.goto('/pages/script-tag.html');
    const username = await page.evaluate(async (env) => {
      (window as any).POLYAXON_ENV = env;
      const client = new (window as any).PolyaxonTracking.PolyaxonClient();
      return (await client.auth.getUser()).username;
    }, injectedEnv(polyaxonServer));
    expect(username).toBe(polyaxonServer.user);
  });

  test('a page run carries the browser run env, the injected code ref and the captured console', async ({ page, polyaxonServer }) => {
    const client = await nodeClient(polyaxonServer);
    await client.project.createProject({ name: 'browser-env' });
    await page.goto('/pages/script-tag.html');
    const result = await page.evaluate(
      async ({ env, codeRef }) => {
        (window as any).POLYAXON_ENV = env;
        (window as any).POLYAXON_CODE_REF = codeRef;
        const { Experiment } = (window as any).PolyaxonTracking;
        const experiment = new Experiment({ project: 'browser-env', trackLogs: true });
        await experiment.create({ name: 'page-run' });
        console.log('hello from the page', { epoch: 1 });
        experiment.logMetrics({ step: 1, loss: 0.5 });
        experiment.succeeded();
        const closed = await experiment.close({ timeoutMs: 10_000 });
        return { id: experiment.id as number, closed: closed as boolean, storage: experiment.stats()?.outbox.storage };
      },
      { env: injectedEnv(polyaxonServer), codeRef: CODE_REF },
    );
    expect(result.closed).toBe(true);
    expect(result.storage).toBe('indexeddb');

    const detail = (await client.experiment.get(polyaxonServer.user, 'browser-env', result.id)) as Record<string, any>;
    const runEnv = detail.run_env;
    expect(runEnv).toMatchObject({ runtime: 'browser', context: 'window', is_notebook: false, online: true });
    expect(runEnv.user_agent).toMatch(/Chrome/);
    expect(runEnv.ua_hints?.brands?.join(' ') ?? 'no hints').toMatch(/Chromium|no hints/);
    expect(runEnv.page_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pages\/script-tag\.html$/);
    expect(runEnv.hardware_concurrency).toBeGreaterThan(0);
    expect(runEnv.screen).toMatchObject({ width: expect.any(Number), height: expect.any(Number) });
    expect(runEnv.webgl?.renderer ?? 'no webgl').toEqual(expect.any(String));
    expect(JSON.stringify(runEnv)).not.toContain(polyaxonServer.token);

    const codeRef = (await client.experiment.getCodeReference(polyaxonServer.user, 'browser-env', result.id)) as Record<string, any>;
    expect(codeRef).toMatchObject({ commit: CODE_REF.commit, branch: 'main', git_url: 'https://github.com/org/repo.git' });

    const logs = await client.experiment.getLogs(polyaxonServer.user, 'browser-env', result.id);
    expect(logs).toContain('hello from the page {"epoch":1}');
    expect(logs).not.toContain('[polyaxon-tracking]');
  });

  test("by default a page run captures no console line, and creating it prints nothing to the page's console", async ({ page, polyaxonServer }) => {
    const client = await nodeClient(polyaxonServer);
    await client.project.createProject({ name: 'quiet' });
    const printed: string[] = [];
    page.on('console', (message) => printed.push(`${message.type()}: ${message.text()}`));
    await page.goto('/pages/script-tag.html');
    const result = await page.evaluate(async (env) => {
      (window as any).POLYAXON_ENV = env;
      const { Experiment } = (window as any).PolyaxonTracking;
      const experiment = new Experiment({ project: 'quiet' });
      await experiment.create({ name: 'quiet-run' });
      console.log('a line of the page, not of the run');
      experiment.logMetrics({ step: 1, loss: 0.5 });
      experiment.succeeded();
      const closed = await experiment.close({ timeoutMs: 10_000 });
      return { id: experiment.id as number, closed: closed as boolean, gpu: 'gpu' in navigator };
    }, injectedEnv(polyaxonServer));
    expect(result.closed).toBe(true);
    // Only the page's own line: no WebGPU "No available adapters.", no WebGL note, no library line.
    expect(printed).toEqual(['log: a line of the page, not of the run']);
    const logs = await client.experiment.getLogs(polyaxonServer.user, 'quiet', result.id);
    expect(logs).not.toContain('a line of the page');
    const detail = (await client.experiment.get(polyaxonServer.user, 'quiet', result.id)) as Record<string, any>;
    if (result.gpu) expect(detail.run_env.webgpu).toEqual({ api: true });
  });

  test('a dedicated Worker run tracks with settings injected on self', async ({ page, polyaxonServer }) => {
    const client = await nodeClient(polyaxonServer);
    await client.project.createProject({ name: 'worker-env' });
    await page.goto('/pages/blank.html');
    const result = await page.evaluate(
      (message) => (window as any).runWorker('/pages/tracking-worker.js', message),
      { env: injectedEnv(polyaxonServer), codeRef: CODE_REF, project: 'worker-env', name: 'worker-run' },
    );
    expect(result.error).toBeUndefined();
    expect(result.closed).toBe(true);
    const detail = (await client.experiment.get(polyaxonServer.user, 'worker-env', result.id)) as Record<string, any>;
    expect(detail.run_env).toMatchObject({ runtime: 'browser', context: 'worker' });
    expect(detail.run_env.worker_url).toMatch(/\/pages\/tracking-worker\.js$/);
    expect(detail.run_env).not.toHaveProperty('screen');
    expect(detail.last_status).toBe('succeeded');
    const logs = await client.experiment.getLogs(polyaxonServer.user, 'worker-env', result.id);
    expect(logs).toContain('hello from the worker');
  });
});
