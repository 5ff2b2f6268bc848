/**
 * What bench/server-scale.mjs drives: servers in child processes (started and timed until their
 * API answers, killed by their own pid), and metric batches sent as the client sends them
 * (200 points a POST, an Idempotency-Key each) over keep-alive connections on loopback.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { REPO_ROOT } from './child.mjs';
import { now, sleep } from './measure.mjs';

export const BATCH_POINTS = 200;

/** Starts `node <script> ...args`; resolves with its first stdout line (JSON) and the child. */
export async function startProcess(script, args) {
  const child = spawn(process.execPath, [...(process.env.SCALE_NODE_ARGS ? process.env.SCALE_NODE_ARGS.split(' ') : []), script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let output = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  for await (const chunk of child.stdout) {
    output += chunk;
    if (output.includes('\n')) break;
  }
  clearTimeout(timer);
  if (!output.includes('\n')) throw new Error(`${script} did not start: ${stderr}`);
  return { child, info: JSON.parse(output.split('\n')[0]) };
}

export async function stopProcess(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** Resident memory of a process in MiB (Linux). */
export async function rssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

export function client(port, token, connections) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method, path: `/api/v1/${path}`, agent, headers: { Authorization: `Token ${token}`, ...headers } },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    send,
    async json(method, path, body) {
      const answer = await send(method, path, body === undefined ? undefined : JSON.stringify(body), { 'Content-Type': 'application/json' });
      if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 200)}`);
      return JSON.parse(answer.text || 'null');
    },
    close: () => agent.destroy(),
  };
}

let keys = 0;
/** One POST body of `BATCH_POINTS` points from `step` on, as the client writes it. */
export function batchBody(step) {
  const createdAt = new Date(Date.UTC(2024, 0, 1) + step * 10).toISOString().replace('T', ' ').replace('Z', '000+00:00');
  const points = [];
  for (let index = step; index < step + BATCH_POINTS; index += 1) {
    const loss = Math.exp(-index / 200_000) + ((index * 7919) % 1000) / 20_000;
    points.push(`{"values":{"step":${index},"loss":${loss},"accuracy":${1 - loss / 2}},"created_at":"${createdAt}"}`);
  }
  return `[${points.join(',')}]`;
}

/**
 * Sends `jobs` ({ path, from, to }: points `from`..`to` of one experiment) over `connections`
 * parallel senders, each experiment's batches in order; resolves with points per second.
 */
export async function sendPoints(api, jobs, connections, onProgress = () => {}) {
  const queue = [...jobs];
  let sent = 0;
  const started = now();
  const sender = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      for (let step = job.from; step < job.to; step += BATCH_POINTS) {
        const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': `scale-${process.pid}-${(keys += 1)}` };
        let answer = await api.send('POST', `${job.path}/metrics/`, batchBody(step), headers);
        for (let retry = 0; answer.status === 429 && retry < 100; retry += 1) {
          await sleep(100);
          answer = await api.send('POST', `${job.path}/metrics/`, batchBody(step), headers);
        }
        if (answer.status !== 201) throw new Error(`metrics POST answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        sent += BATCH_POINTS;
        onProgress(sent);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, sender));
  return sent / ((now() - started) / 1000);
}

/** Median and first (cold) time in ms of `rounds` calls of `work`. */
export async function timeReads(work, rounds = 9) {
  const times = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = now();
    await work();
    times.push(now() - started);
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  return { cold: times[0], median: warm[Math.floor(warm.length / 2)] };
}
