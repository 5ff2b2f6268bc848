import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * URL prefixes and the folders they serve. `/node_modules/` is limited to the runtime
 * dependencies of the ESM browser build, which pages load through an import map.
 */
const MOUNTS: ReadonlyArray<readonly [prefix: string, folder: string]> = [
  ['/dist/', join(REPO_ROOT, 'dist')],
  ['/pages/', join(REPO_ROOT, 'test/browser/pages')],
  ...['ofetch', 'destr', 'ufo', 'idb-keyval', 'zod', '@tensorflow', 'requirejs'].map(
    (name) => [`/node_modules/${name}/`, join(REPO_ROOT, 'node_modules', name)] as const,
  ),
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
};

export interface StaticServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Resolves a request path inside one mount, or null (unknown prefix or an escape with `..`). */
export function resolveStaticPath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  for (const [prefix, folder] of MOUNTS) {
    if (!decoded.startsWith(prefix)) continue;
    const file = normalize(join(folder, decoded.slice(prefix.length)));
    return file.startsWith(folder + sep) ? file : null;
  }
  return null;
}

/** A tiny static file server on 127.0.0.1 and a free port; no caching, so a rebuild is seen at once. */
export async function startStaticServer(): Promise<StaticServer> {
  const server: Server = createServer(async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = resolveStaticPath(pathname);
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info?.isFile() || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-store',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
