/**
 * A real `polyaxon-tracking serve` process (dist/cli.mjs) on a free loopback port with a temp data
 * folder, and the library's Node API logging into it, as a user's script would.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Experiment, PolyaxonClient } from '../../dist/index.node.mjs';
import { REPO_ROOT } from './child.mjs';

const START_TIMEOUT_MS = 30_000;

/**
 * Starts `serve`; resolves once it listens with its URL, its token (read from the data folder: off
 * a terminal `serve` prints where the token is, not the token), the dashboard link a person would
 * click (`/#token=...`) and a client.
 */
export async function startServeProcess({ noAuth = false, extraArgs = [] } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'polyaxon-serve-'));
  const args = ['dist/cli.mjs', 'serve', '--port', '0', '--data', join(root, 'server'), ...(noAuth ? ['--no-auth'] : []), ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout.on('data', (chunk) => (printed += chunk));
  child.stderr.on('data', (chunk) => (printed += chunk));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${START_TIMEOUT_MS} ms:\n${printed}`)), START_TIMEOUT_MS);
    const check = () => {
      const match = /server: (http:\/\/127\.0\.0\.1:\d+)\/.*\n(.*\n)?data: /.exec(printed);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited (${code}):\n${printed}`)));
  });
  const token = noAuth ? '' : (await readFile(join(root, 'server', 'token'), 'utf8')).trim();
  const link = noAuth ? `${url}/` : `${url}/#token=${token}`;
  const port = Number(new URL(url).port);
  const client = new PolyaxonClient({ host: '127.0.0.1', port, token, env: {} });
  let outboxes = 0;
  return {
    url, link, token, port, client, root,
    output: () => printed,
    async project(name) {
      await client.project.createProject({ name });
    },
    /** A created, running experiment; `outbox` options go to its outbox (batching). */
    async experiment(project, { name, tags, description, outbox = {} } = {}) {
      outboxes += 1;
      const experiment = new Experiment({
        project,
        client,
        trackLogs: false,
        trackGit: false,
        outbox: { directory: join(root, `outbox-${outboxes}`), ...outbox },
      });
      await experiment.create({ name, tags, description });
      return experiment;
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
