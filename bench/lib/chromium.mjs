/**
 * Chromium for the browser benches: Debian's Chromium driven by Playwright, pages served from a
 * tiny static server on 127.0.0.1 (the built package, tf.min.js and bench/ itself, so a page can
 * import the bench's shared modules), settings injected as `window.POLYAXON_ENV`.
 */
import { chromium } from '@playwright/test';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { REPO_ROOT } from './child.mjs';
import { ensureProject } from './experiment.mjs';
import { startLocalServer } from './local-server.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * A folder holding another build's dist/ (e.g. main's), served at /baseline/ so a bench can load
 * both builds side by side in one run: `BENCH_BASELINE_DIST=/path/to/other/dist`.
 */
export const BASELINE_DIST = process.env.BENCH_BASELINE_DIST || undefined;

/** URL path prefixes and what they serve; nothing else is reachable. */
const MOUNTS = [
  ['/dist/', join(REPO_ROOT, 'dist')],
  ['/bench/', join(REPO_ROOT, 'bench')],
  ['/tfjs/', join(REPO_ROOT, 'node_modules/@tensorflow/tfjs/dist')],
  ...(BASELINE_DIST ? [['/baseline/', BASELINE_DIST]] : []),
];

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function resolvePath(pathname) {
  for (const [prefix, folder] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(folder, decodeURIComponent(pathname.slice(prefix.length))));
    return file.startsWith(folder + sep) ? file : undefined;
  }
  return undefined;
}

/** Serves MOUNTS on 127.0.0.1 and a free port; `url` has no trailing slash. */
export async function startStaticServer() {
  const server = createServer(async (request, response) => {
    const file = resolvePath(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const info = file && (await stat(file).catch(() => undefined));
    if (!info?.isFile() || request.method !== 'GET') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-store' });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Chromium, the static server and one browser context whose pages see `env` as
 * `window.POLYAXON_ENV`; `close()` ends all three. Throws with the path when Chromium is missing.
 */
export async function openChromium(env) {
  if (!(await stat(CHROMIUM_PATH).catch(() => undefined))) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const files = await startStaticServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }).catch(async (error) => {
    await files.close();
    throw error;
  });
  const newContext = async () => {
    const context = await browser.newContext({ baseURL: files.url });
    await context.addInitScript((injected) => {
      globalThis.POLYAXON_ENV = injected;
    }, env);
    return context;
  };
  const context = await newContext();
  return {
    browser,
    context,
    /** Another context: its own storage (IndexedDB, localStorage), the same settings. */
    newContext,
    version: browser.version(),
    /** Opens `bench/pages/<name>` (in `inContext`, default the first) and waits until its `window.benchReady` promise resolves. */
    async openPage(name, inContext = context) {
      const page = await inContext.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(error));
      await page.goto(`/bench/pages/${name}`);
      const ready = await page.evaluate(() => window.benchReady.then(() => true, (error) => String(error?.stack ?? error)));
      if (ready !== true || errors.length > 0) throw new Error(`bench/pages/${name} did not load: ${ready === true ? errors.join('; ') : ready}`);
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
      await files.close();
    },
  };
}

/**
 * A local server (in this process, metrics throttle off) with the bench project, Chromium with
 * the server's settings injected, and `bench/pages/<pageName>` open; runs `work({ local,
 * chromium, page })` and closes everything, whatever happens.
 */
export async function withBenchPage(pageName, { timeoutMs }, work) {
  const local = await startLocalServer();
  let chromium;
  try {
    await ensureProject(local);
    chromium = await openChromium(polyaxonEnv(local.server));
    const page = await chromium.openPage(pageName);
    page.setDefaultTimeout(timeoutMs);
    return await work({ local, chromium, page });
  } finally {
    await chromium?.close();
    await local.close();
  }
}

/** The local server's settings as a page reads them (POLYAXON_ENV). */
export function polyaxonEnv(server) {
  return { POLYAXON_API_HOST: server.host, POLYAXON_HTTP_PORT: server.port, POLYAXON_SECRET_USER_TOKEN: server.token };
}

/** A DevTools protocol session on `page`, as `send(method, params)` (the shape lib/profile.mjs takes). */
export async function devtools(page) {
  const session = await page.context().newCDPSession(page);
  return (method, params) => session.send(method, params);
}

/**
 * CPU time of the page's renderer process, in ms (the CDP Performance domain's `ProcessTime`):
 * like Node's process.cpuUsage, less sensitive to other load than wall time. IndexedDB and
 * network work run in other Chromium processes and are not in it.
 */
export async function rendererCpuClock(send) {
  await send('Performance.enable', { timeDomain: 'threadTicks' });
  return async () => {
    const { metrics } = await send('Performance.getMetrics');
    const processTime = metrics.find((metric) => metric.name === 'ProcessTime');
    return processTime ? processTime.value * 1000 : Number.NaN;
  };
}
