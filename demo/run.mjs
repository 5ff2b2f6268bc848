#!/usr/bin/env node
// `npm run demo`: starts the local Polyaxon-compatible server on a free port, trains a small TF.js
// model in Node with tracking, and prints what the server holds. `npm run demo -- --browser` also
// serves the browser demo (the same training in a page, loaded with one <script> tag).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Experiment, PolyaxonClient } from '../dist/index.node.mjs';
import { startServer } from '../dist/server.mjs';
import { train } from './model.mjs';
import { printSummary } from './summary.mjs';
import { serveBrowserDemo } from './serve-browser.mjs';

const { values: args } = parseArgs({
  options: {
    browser: { type: 'boolean', default: false },
    epochs: { type: 'string', default: '20' },
    port: { type: 'string', default: '0' },
    'demo-port': { type: 'string', default: '0' },
    data: { type: 'string' },
  },
});

const PROJECT = 'tfjs-demo';

const dataDir = args.data ?? (await mkdtemp(join(tmpdir(), 'polyaxon-demo-')));
const server = await startServer({ port: Number(args.port), dataDir, quiet: true });
const client = new PolyaxonClient({ host: server.host, port: server.port, token: server.token });
await client.project.getProject(server.user, PROJECT).catch(() =>
  client.project.createProject({ name: PROJECT, description: 'TF.js models tracked from Node and browsers' }),
);

await tf.setBackend('cpu');
const experiment = new Experiment({ project: PROJECT, client, outbox: { directory: join(dataDir, 'outbox') } });
await experiment.create({ name: 'node-spirals', tags: ['demo', 'node'], description: 'Two spirals, dense 32-32-1, trained in Node', framework: 'tensorflow.js' });
console.log(`Training in Node (experiment ${experiment.id}, ${args.epochs} epochs at most)...`);
await train(tf, experiment, {
  epochs: Number(args.epochs),
  onEpochEnd: (epoch, logs) => console.log(`  epoch ${String(epoch).padStart(2)}  loss ${logs.loss.toFixed(4)}  acc ${logs.acc.toFixed(3)}`),
});
const delivered = await experiment.flush({ timeoutMs: 15_000 });
await printSummary(client, server, PROJECT, experiment, delivered);

if (args.browser) {
  const demo = await serveBrowserDemo({ server, project: PROJECT, port: Number(args['demo-port']) });
  console.log(`\nBrowser demo: ${demo.url}  (open it, press Train; Ctrl-C stops both servers)`);
  const stop = async () => {
    await demo.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  await experiment.close();
  await server.close();
  console.log(`\nData kept in ${dataDir}; serve it again with: node dist/cli.mjs serve --data ${dataDir}`);
}
