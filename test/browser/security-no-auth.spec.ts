/**
 * F42: a local server started with `--no-auth` is reachable from any page the user visits, since
 * it is on 127.0.0.1. Chromium runs a page on another loopback origin (the static server, another
 * port) that tries every way a page can read or write; only a page whose origin the user named
 * (`--cors-origin`) gets through.
 */
import { pathToFileURL } from 'node:url';
import type { PolyaxonClient as Client } from '../../src/api/index';
import { DIST, expect, test, type PolyaxonServerHandle } from './fixtures';

async function projectNames(server: PolyaxonServerHandle): Promise<string[]> {
  const { PolyaxonClient } = (await import(pathToFileURL(`${DIST}/index.node.mjs`).href)) as { PolyaxonClient: typeof Client };
  const client = new PolyaxonClient({ host: server.host, port: server.port, token: server.token });
  return (await client.project.listProjects(server.user)).results.map((project) => project.name);
}

test.describe('F42 serve --no-auth and web pages', () => {
  test.use({ polyaxonServerOptions: { noAuth: true } });

  test('F42 a page on another loopback origin can neither read nor write the server', async ({ page, polyaxonServer }) => {
    await page.goto('/pages/script-tag.html');
    const attempts = await page.evaluate(async ({ api, port }) => {
      const outcome = (request: Promise<Response>) =>
        request.then(
          (response) => (response.type === 'opaque' ? 'opaque' : `read ${response.status}`),
          () => 'blocked',
        );
      const json = { 'Content-Type': 'application/json' };
      return {
        read: await outcome(fetch(`${api}/local/`)),
        readWhoAmI: await outcome(fetch(`${api}/users/`)),
        jsonPost: await outcome(fetch(`${api}/projects/`, { method: 'POST', headers: json, body: '{"name":"by-json"}' })),
        // What a page can send without a preflight: text/plain, a form, multipart.
        textPost: await outcome(fetch(`${api}/projects/`, { method: 'POST', mode: 'no-cors', body: '{"name":"by-text"}' })),
        formPost: await outcome(fetch(`${api}/projects/`, { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ name: 'by-form' }) })),
        multipartPost: await outcome(
          fetch(`${api}/projects/`, { method: 'POST', mode: 'no-cors', body: (() => { const form = new FormData(); form.set('name', 'by-multipart'); return form; })() }),
        ),
        library: await new (window as any).PolyaxonTracking.PolyaxonClient({ host: '127.0.0.1', port, token: '' }).auth.getUser().then(
          () => 'read',
          () => 'blocked',
        ),
      };
    }, { api: `${polyaxonServer.url}/api/v1`, port: polyaxonServer.port });
    expect(attempts).toEqual({
      read: 'blocked',
      readWhoAmI: 'blocked',
      jsonPost: 'blocked',
      textPost: 'opaque',
      formPost: 'opaque',
      multipartPost: 'opaque',
      library: 'blocked',
    });
    // The opaque posts reached the server: it refused them, so nothing was written.
    expect(await projectNames(polyaxonServer)).toEqual([]);
  });

  test.describe('with the page origin named in --cors-origin', () => {
    test.use({ allowPageOrigin: true });

    test('F42 the named origin reads, writes and tracks a run', async ({ page, polyaxonServer }) => {
      await page.goto('/pages/script-tag.html');
      const result = await page.evaluate(async ({ api, port }) => {
        const created = await fetch(`${api}/projects/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"named"}' });
        const listed = await fetch(`${api}/local/`);
        const { Experiment, PolyaxonClient } = (window as any).PolyaxonTracking;
        const experiment = new Experiment({ project: 'named', client: new PolyaxonClient({ host: '127.0.0.1', port, token: '' }) });
        await experiment.create({ name: 'from-page' });
        experiment.logMetrics({ step: 1, loss: 0.5 });
        experiment.succeeded();
        const closed = await experiment.close({ timeoutMs: 10_000 });
        return {
          created: created.status,
          listed: ((await listed.json()) as { results: Array<{ name: string }> }).results.map((project) => project.name),
          features: listed.headers.get('X-Polyaxon-Tracking'),
          closed,
        };
      }, { api: `${polyaxonServer.url}/api/v1`, port: polyaxonServer.port });
      expect(result).toEqual({ created: 201, listed: ['named'], features: 'idempotency', closed: true });
      expect(await projectNames(polyaxonServer)).toEqual(['named']);
    });
  });
});
