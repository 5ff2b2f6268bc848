import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Page } from '@playwright/test';

/**
 * What a snippet's page reaches, on loopback only:
 * - CDN URLs (unpkg, jsDelivr) are answered from the files the package would publish (this
 *   repository for polyaxon-tracking, node_modules for the rest), at the version the snippet names
 *   only if that is the installed one;
 * - the local server's default address (127.0.0.1:8000 or localhost:8000, what `serve` listens on
 *   unless told otherwise) is forwarded to the real server the test started on a free port;
 * - anything else off this machine is refused and reported.
 */
const CDN = /^https:\/\/(?:unpkg\.com|cdn\.jsdelivr\.net\/npm)\/((?:@[^/]+\/)?[^/@]+)(?:@([^/]+))?\/(.+)$/;
const DEFAULT_SERVER = /^http:\/\/(?:127\.0\.0\.1|localhost):8000\//;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.map': 'application/json', '.bin': 'application/octet-stream' };

export async function routeSnippetPage(page: Page, repoRoot: string, serverUrl: string, refused: string[]): Promise<void> {
  await page.route(/^https?:\/\//, async (route) => {
    const url = route.request().url();
    const cdn = url.match(CDN);
    if (cdn) return route.fulfill(await cdnFile(repoRoot, cdn[1], cdn[2], cdn[3].split('?')[0]));
    if (DEFAULT_SERVER.test(url)) {
      const response = await route.fetch({ url: url.replace(DEFAULT_SERVER, `${serverUrl}/`) });
      return route.fulfill({ response });
    }
    if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) return route.continue();
    refused.push(url);
    return route.abort('blockedbyclient');
  });
}

async function cdnFile(repoRoot: string, name: string, version: string | undefined, path: string) {
  const folder = name === 'polyaxon-tracking' ? repoRoot : join(repoRoot, 'node_modules', name);
  const installed = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')).version as string;
  const headers = { 'access-control-allow-origin': '*' };
  if (version && /^\d+\.\d+\.\d+/.test(version) && version !== installed) {
    return { status: 404, headers, body: `${name}@${version} is named, ${installed} is installed: update the snippet or the devDependency` };
  }
  const file = normalize(join(folder, path));
  if (!file.startsWith(folder + sep)) return { status: 404, headers, body: 'outside the package' };
  try {
    return { status: 200, headers: { ...headers, 'content-type': TYPES[extname(file)] ?? 'text/plain' }, body: await readFile(file) };
  } catch {
    return { status: 404, headers, body: `${name} has no ${path}` };
  }
}

/** Serves one page (a snippet, after `prelude`) and RequireJS at /require.js, on 127.0.0.1. */
export async function servePage(repoRoot: string, html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    if (request.url === '/require.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(join(repoRoot, 'node_modules/requirejs/require.js')));
    } else if (request.url === '/favicon.ico') {
      response.writeHead(204).end();
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A snippet as a page: `%%html` (the notebook magic, not HTML) dropped; RequireJS first for classic Jupyter. */
export function snippetPage(code: string, withRequireJs: boolean): string {
  const html = code.replace(/^\s*%%html[^\n]*\n/, '');
  const head = `<meta charset="utf-8">${withRequireJs ? '<script src="/require.js"></script>' : ''}`;
  return `<!doctype html><html><head>${head}</head><body>\n${html}\n</body></html>`;
}
