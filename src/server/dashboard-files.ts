import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError, type Reply } from './http';

/**
 * The dashboard's static files (built by rollup into dist/dashboard/ from src/dashboard/), served
 * at `/` without a token: the page reads every piece of data through the token-protected API, so
 * serving it reveals nothing. Files under `assets/` carry a content hash in their names and are
 * cached for good; the page itself is revalidated on every load.
 */

/** No inline script or style, nothing from another origin, no framing (the page holds a token). */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

interface StaticFile {
  bytes: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

export interface DashboardFilesOptions {
  /** Folder of the built dashboard. Default: dist/dashboard beside the built server, or the repository's dist/dashboard from the sources. */
  directory?: string;
  /** `--no-auth`: the page is served only to loopback clients under a loopback host name. */
  loopbackOnly: boolean;
}

/** The built dashboard: beside dist/server.mjs and dist/cli.mjs, or ../../dist when run from src/server. */
function defaultDirectory(): string | undefined {
  const candidates = ['./dashboard/', '../../dist/dashboard/'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
  return candidates.find((folder) => existsSync(join(folder, 'index.html')));
}

function load(directory: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(join(folder, entry.name), path);
      else if (entry.isFile()) {
        const bytes = readFileSync(join(folder, entry.name));
        files.set(path, {
          bytes,
          type: CONTENT_TYPES[extname(entry.name)] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`,
          immutable: path.startsWith('/assets/'),
        });
      }
    }
  };
  walk(directory, '');
  return files;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function fromLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  const peerIsLoopback = address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  // A DNS-rebound name would reach 127.0.0.1 under a foreign Host header.
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return peerIsLoopback && LOOPBACK_HOSTS.has(host);
}

/** Answers `GET /`, `/index.html` and `/assets/*`; undefined for any other path. */
export function dashboardFiles(options: DashboardFilesOptions): (req: IncomingMessage, pathname: string) => Reply | undefined {
  let files: Map<string, StaticFile> | undefined;
  return (req, pathname) => {
    const path = pathname === '/' || pathname === '/dashboard' ? '/index.html' : pathname;
    if (path !== '/index.html' && !path.startsWith('/assets/')) return undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, { detail: `Method "${req.method}" not allowed.` }, { Allow: 'GET, HEAD' });
    }
    if (options.loopbackOnly && !fromLoopback(req)) {
      throw new HttpError(403, { detail: 'Without authentication the dashboard is served to this machine only (127.0.0.1, localhost).' });
    }
    const directory = options.directory ?? defaultDirectory();
    if (!directory) {
      return { status: 503, text: 'The dashboard is not built: run `npm run build`.\n', headers: SECURITY_HEADERS };
    }
    files ??= load(directory);
    const file = files.get(path);
    if (!file) throw new HttpError(404, { detail: 'Not found.' });
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': file.type,
      ETag: file.etag,
      'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (req.headers['if-none-match'] === file.etag) return { status: 304, headers };
    return { status: 200, bytes: req.method === 'HEAD' ? new Uint8Array() : file.bytes, headers };
  };
}
