#!/usr/bin/env node
// `npm run demo`: starts the local Polyaxon-compatible server on a free port, trains a small TF.js
// model in Node with tracking, prints what the server holds and where to look at it.
// In a terminal it then keeps the server, the dashboard and the browser demo (the same training in
// a page, loaded with one <script> tag) up until Ctrl-C. Without a terminal (CI, a pipe) or with
// `--once` it exits after the summary; `--browser` keeps everything up even without a terminal.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBuilt } from './ensure-built.mjs';

const { values: args } = parseArgs({
  options: {
    browser: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    epochs: { type: 'string', default: '20' },
    port: { type: 'string', default: '0' },
    'demo-port': { type: 'string', default: '0' },
    data: { type: 'string' },
  },
});

// dist/ is what a user of the package runs; built only when missing or older than src/.
ensureBuilt();

const tf = await import('@tensorflow/tfjs');
const { Experiment, PolyaxonClient } = await import('../dist/index.node.mjs');
const { startServer } = await import('../dist/server.mjs');
const { train } = await import('./model.mjs');
const { printSummary, printWhereToLook } = await import('./summary.mjs');
const { serveBrowserDemo } = await import('./serve-browser.mjs');

const PROJECT = 'tfjs-demo';
const RUN_NAME = 'node-spirals';
const interactive = !args.once && Boolean(process.stdout.isTTY && process.stdin.isTTY);
const stayUp = args.browser || interactive;

const dataDir = args.data ?? (await mkdtemp(join(tmpdir(), 'polyaxon-demo-')));
const server = await startServer({ port: Number(args.port), dataDir, quiet: true });
const client = new PolyaxonClient({ host: server.host, port: server.port, token: server.token });
await client.project.getProject(server.user, PROJECT).catch(() =>
  client.project.createProject({ name: PROJECT, description: 'TF.js models tracked from Node and browsers' }),
);

await tf.setBackend('cpu');
const experiment = new Experiment({ project: PROJECT, client, outbox: { directory: join(dataDir, 'outbox') } });
await experiment.create({ name: RUN_NAME, tags: ['demo', 'node'], description: 'Two spirals, dense 32-32-1, trained in Node', framework: 'tensorflow.js' });
console.log(`Training in Node (experiment ${experiment.id}, ${args.epochs} epochs at most)...`);
await train(tf, experiment, {
  epochs: Number(args.epochs),
  onEpochEnd: (epoch, logs) => console.log(`  epoch ${String(epoch).padStart(2)}  loss ${logs.loss.toFixed(4)}  acc ${logs.acc.toFixed(3)}`),
});
const delivered = await experiment.flush({ timeoutMs: 15_000 });
await printSummary(client, server, PROJECT, experiment, delivered);
await experiment.close();

const run = { id: experiment.id, name: RUN_NAME };
const place = { tokenFile: join(dataDir, 'token'), user: server.user, project: PROJECT, run };
if (stayUp) {
  const demo = await serveBrowserDemo({ server, project: PROJECT, port: Number(args['demo-port']) });
  printWhereToLook({ ...place, dashboardUrl: server.url, browserDemoUrl: demo.url, token: interactive ? server.token : undefined });
  console.log(`\nBrowser demo: ${demo.url}  (open it, press Train; Ctrl-C stops both servers)`);
  const stop = async () => {
    await demo.close();
    await server.close();
    console.log(`\nStopped. Data kept in ${dataDir}; serve it again with: npm run serve -- --data ${dataDir}`);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  await server.close();
  console.log(`\nThe demo's server has stopped (no terminal, or --once). Data kept in ${dataDir}; to look at it, run`);
  console.log(`  npm run serve -- --data ${dataDir}`);
  printWhereToLook({ ...place, dashboardUrl: 'http://127.0.0.1:8000' });
}
