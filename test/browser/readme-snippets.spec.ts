import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { userEnv } from '../helpers/user-env';
import { documentedFiles, snippetsOf, type Snippet } from './readme-snippets/extract';
import { routeSnippetPage, servePage, snippetPage } from './readme-snippets/page-routes';
import { runScript, userProject } from './readme-snippets/user-project';
import { REPO_ROOT } from './static-server';

/**
 * Every code block of the README (and docs/*.md) runs as written, in document order, against one
 * `polyaxon-tracking serve` started here as a reader would start it (its own data folder, a free
 * port, the token from the file it names): Node, Deno and Bun blocks as files of a project that installed the
 * package, with the server's address and token in POLYAXON_* variables; HTML blocks as a page in
 * Chromium, their CDN scripts answered from the files the package publishes, the token typed into
 * the prompt or found in localStorage. A block that tracks a run passes when the run reaches the
 * server and succeeds. Blocks that cannot run say why (see readme-snippets/extract.ts).
 */
const FINAL = new Set(['succeeded', 'failed', 'stopped', 'skipped', 'done']);

interface Serve {
  child: ChildProcess;
  url: string;
  token: string;
  user: string;
  dataDir: string;
}

let serve: Serve;
let project: string;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'pxt-readme-serve-'));
  const child = spawn(process.execPath, ['dist/cli.mjs', 'serve', '--port', '0', '--data', dataDir], { cwd: REPO_ROOT, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  const started = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address within 30 s:\n${printed}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      printed += chunk;
      const match = printed.match(/server: (http:\/\/127\.0\.0\.1:\d+)\/[\s\S]*user: (\S+)\s+token: in (\S+)/);
      if (match) (clearTimeout(timer), resolve(match));
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${printed}`)));
  });
  // serve never prints the token; it says which file holds it, and the reader reads it from there.
  const token = (await readFile(started[3], 'utf8')).trim();
  serve = { child, url: started[1], user: started[2], token, dataDir };
  project = await userProject(REPO_ROOT);
});

test.afterAll(async () => {
  serve?.child.kill('SIGTERM');
  if (serve) await rm(serve.dataDir, { recursive: true, force: true });
  if (project) await rm(project, { recursive: true, force: true });
});

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${serve.url}/api/v1/${path}`, { headers: { Authorization: `Token ${serve.token}` } });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

interface Run {
  unique_name: string;
  last_status: string | null;
}

async function runsOnServer(): Promise<Run[]> {
  const projects = await api<{ results: Array<{ name: string }> }>(`${serve.user}/?limit=100`);
  const runs: Run[] = [];
  for (const { name } of projects.results) runs.push(...(await api<{ results: Run[] }>(`${serve.user}/${name}/experiments/?limit=100`)).results);
  return runs;
}

/** The runs a block created, once each has a final status (a page's run ends when its fit does). */
async function newRunsWhenDone(before: Set<string>, timeoutMs: number): Promise<Run[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await runsOnServer()).filter((run) => !before.has(run.unique_name));
    if ((runs.length > 0 && runs.every((run) => FINAL.has(run.last_status ?? ''))) || Date.now() > deadline) return runs;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const tracksARun = (code: string) => /\bnew\s+(?:PolyaxonTracking\.)?Experiment\(/.test(code);

function title(snippet: Snippet): string {
  const where = `${snippet.file}:${snippet.line} \`\`\`${snippet.lang}`;
  if (snippet.kind === 'run') return `${where} runs as written in ${snippet.runtime}`;
  if (snippet.kind === 'skip') return `${where} not run: ${snippet.reason}`;
  return `${where} is run or marked`;
}

for (const file of documentedFiles(REPO_ROOT)) {
  test.describe(file, () => {
    for (const snippet of snippetsOf(REPO_ROOT, file)) {
      if (snippet.kind === 'skip') {
        test.skip(title(snippet), () => {});
      } else if (snippet.kind === 'unmarked') {
        test(title(snippet), () => {
          throw new Error(`${snippet.file}:${snippet.line}: ${snippet.problem}`);
        });
      } else {
        test(title(snippet), async ({ page }) => {
          test.setTimeout(150_000);
          const before = new Set((await runsOnServer()).map((run) => run.unique_name));
          if (snippet.runtime === 'chromium' || snippet.runtime === 'jupyter-classic') {
            const errors: string[] = [];
            const refused: string[] = [];
            page.on('pageerror', (error) => errors.push(error.message));
            // The reader gave the token once, at run time: typed into the prompt, kept in localStorage.
            page.on('dialog', (dialog) => void (dialog.type() === 'prompt' ? dialog.accept(serve.token) : dialog.dismiss()));
            await routeSnippetPage(page, REPO_ROOT, serve.url, refused);
            const served = await servePage(REPO_ROOT, snippetPage(snippet.code, snippet.runtime === 'jupyter-classic'));
            try {
              await page.goto(served.url);
              if (tracksARun(snippet.code)) {
                const runs = await newRunsWhenDone(before, 120_000);
                expect(errors, 'uncaught errors in the page').toEqual([]);
                expect(runs.length, 'the block tracks a run: the server must hold it').toBeGreaterThan(0);
                expect(runs.map((run) => run.last_status)).toEqual(runs.map(() => 'succeeded'));
              } else {
                await page.waitForLoadState('load');
                expect(errors, 'uncaught errors in the page').toEqual([]);
              }
              expect(refused, 'requests to hosts off this machine').toEqual([]);
            } finally {
              await served.close();
            }
          } else {
            const port = new URL(serve.url).port;
            const env = userEnv({
              POLYAXON_API_HOST: '127.0.0.1',
              POLYAXON_HTTP_PORT: port,
              POLYAXON_SECRET_USER_TOKEN: serve.token,
              POLYAXON_OUTBOX_DIR: join(project, '.outbox'),
              DENO_DIR: join(project, '.deno'),
              DENO_NO_UPDATE_CHECK: '1',
            });
            const result = await runScript(REPO_ROOT, project, snippet.runtime, snippet.lang, snippet.code, env, 120_000);
            expect(result.code, `${snippet.runtime} exited ${result.code}:\n${result.output}`).toBe(0);
            if (tracksARun(snippet.code)) {
              const runs = await newRunsWhenDone(before, 30_000);
              expect(runs.length, 'the block tracks a run: the server must hold it').toBeGreaterThan(0);
              expect(runs.map((run) => run.last_status), result.output).toEqual(runs.map(() => 'succeeded'));
            }
          }
        });
      }
    }
  });
}
