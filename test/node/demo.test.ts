import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../helpers/local-server';
import { REPO_ROOT } from '../helpers/package-json';
import { userEnv } from '../helpers/user-env';

/**
 * `npm run demo` as the README gives it, in the two places people run it: a pipe (CI) and a
 * terminal. The terminal is a real pseudo-terminal made by
 * util-linux `script`; Ctrl-C is the byte 0x03 typed into it, which the terminal turns into SIGINT.
 * The global setup has built dist/, so the demo must find it up to date and not rebuild.
 */
const EPOCHS = '2';
const children: ChildProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

interface Output {
  text: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

function watch(child: ChildProcess): Output {
  const output: Output = {
    text: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = output.text.match(pattern);
          if (!match) return false;
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; the demo printed:\n${output.text}`)), timeoutMs);
        if (!check()) child.stdout!.on('data', check);
        void output.exited.then(() => setTimeout(() => check() || reject(new Error(`the demo exited before printing ${pattern}:\n${output.text}`)), 50));
      }),
  };
  child.stdout!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  return output;
}

function expectTrackedSummary(text: string): void {
  expect(text).toContain('dist/ is up to date with src/: no build needed');
  expect(text).not.toMatch(/rollup -c|created dist\//);
  expect(text).toMatch(/What the server holds:/);
  expect(text).toMatch(/status\s+succeeded\s+\(created → running → succeeded\)/);
  expect(Number(text.match(/metric points\s+(\d+)/)?.[1])).toBeGreaterThan(0);
  expect(text).toMatch(/last metric\s+.*\bloss=/);
  expect(text).toMatch(/click the row "node-spirals" \(id \d+\) to chart loss/);
}

describe('npm run demo', () => {
  it('without a terminal (CI, a pipe): finds dist/ up to date, trains, prints what it tracked and where to click, exits 0 on its own', async () => {
    const dataDir = await tempFolder('pxt-demo-pipe-');
    folders.push(dataDir);
    const child = spawn('npm', ['run', 'demo', '--', '--epochs', EPOCHS, '--data', dataDir], {
      cwd: REPO_ROOT,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const output = watch(child);
    const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    const exit = await output.exited;
    clearTimeout(killer);
    expect(exit, output.text).toEqual({ code: 0, signal: null });
    expectTrackedSummary(output.text);
    expect(output.text).toContain(`npm run serve -- --data ${dataDir}`);
    expect(output.text).toContain(`dashboard  http://127.0.0.1:8000/  (it asks for the token: the one in ${join(dataDir, 'token')})`);
    // Piped output ends up in CI logs: the token stays in its file.
    expect(output.text).not.toContain(await readFile(join(dataDir, 'token'), 'utf8').then((token) => token.trim()));
    expect(output.text).not.toContain('Browser demo:');
  }, 180_000);

  it('in a terminal: keeps the server, dashboard and browser demo up and prints their URLs until Ctrl-C, then stops both servers', async () => {
    const dataDir = await tempFolder('pxt-demo-tty-');
    folders.push(dataDir);
    // -q quiet, -e the command's exit code, -f flush at once; the transcript goes to /dev/null.
    const child = spawn('script', ['-qefc', `npm run demo -- --epochs ${EPOCHS} --data ${dataDir}`, '/dev/null'], {
      cwd: REPO_ROOT,
      env: userEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const output = watch(child);
    await output.waitFor(/Browser demo: (http:\/\/127\.0\.0\.1:\d+\/)/, 150_000);
    expectTrackedSummary(output.text);
    const dashboard = output.text.match(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\/\?token=(\w+)/)!;
    const [, serverUrl, token] = dashboard;
    const browserDemo = output.text.match(/Browser demo: (\S+)/)![1];

    // Still up after the summary: the dashboard page, the API with the run, the browser demo page.
    expect((await fetch(`${serverUrl}/`)).status).toBe(200);
    const runs = await fetch(`${serverUrl}/api/v1/local/tfjs-demo/experiments/`, { headers: { Authorization: `Token ${token}` } });
    expect((await runs.json()).results).toEqual([expect.objectContaining({ name: 'node-spirals', last_status: 'succeeded' })]);
    expect(await (await fetch(browserDemo)).text()).toContain('<script');
    expect(child.exitCode).toBeNull();

    child.stdin!.write('\x03');
    const exit = await Promise.race([output.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))]);
    // npm reports a script ended by Ctrl-C as 130 (128 + SIGINT), as a shell does; the demo itself
    // handled the SIGINT: it said so, and both of its servers are gone.
    expect(exit, output.text).toEqual({ code: 130, signal: null });
    expect(output.text).toMatch(/Stopped\. Data kept in /);
    await expect(fetch(`${serverUrl}/`)).rejects.toThrow();
    await expect(fetch(browserDemo)).rejects.toThrow();
  }, 180_000);
});
