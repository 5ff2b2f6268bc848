import { createServer, request as forward, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy that answers CORS exactly as a Polyaxon 0.6.1 deployment does
 * (django-cors-headers 2.4.0 with polyaxon/polyaxon/config_settings/cors.py at tag 0.6.1:
 * `CORS_ORIGIN_ALLOW_ALL`, `CORS_ALLOW_CREDENTIALS`, `CORS_ALLOW_HEADERS = default_headers +
 * (X_POLYAXON_CLI_VERSION, X_POLYAXON_CLIENT_VERSION, X_POLYAXON_INTERNAL)`, no exposed headers)
 * and forwards everything else to a local server, whose own CORS headers it drops. The browser
 * then decides, as it would before a real Polyaxon server, what a page may send and read.
 */

/** `Access-Control-Allow-Headers` of a django-cors-headers preflight answer, as Django writes it. */
export const DJANGO_ALLOW_HEADERS =
  'accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with, X_POLYAXON_CLI_VERSION, X_POLYAXON_CLIENT_VERSION, X_POLYAXON_INTERNAL';

export interface ProxiedRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/local/f45/experiments/`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Preflights only: the names the browser asked for (`Access-Control-Request-Headers`), lowercased. */
  requestedHeaders: string[];
}

export interface PolyaxonCorsProxy {
  /** `http://127.0.0.1:<port>`: another origin than both the page's and the local server's. */
  url: string;
  port: number;
  seen: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startPolyaxonCorsProxy(targetUrl: string): Promise<PolyaxonCorsProxy> {
  const target = new URL(targetUrl);
  const seen: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const origin = req.headers.origin;
    const requestedHeaders = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean);
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, requestedHeaders });
    // corsheaders/middleware.py: every answer to a request with an Origin echoes it (credentials on).
    const cors: Record<string, string> = origin ? { Vary: 'Origin', 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' } : {};
    // A preflight is answered before URL routing and authentication: 200, empty body.
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.writeHead(200, {
        ...cors,
        'Content-Length': '0',
        'Access-Control-Allow-Headers': DJANGO_ALLOW_HEADERS,
        'Access-Control-Allow-Methods': 'DELETE, GET, OPTIONS, PATCH, POST, PUT',
        'Access-Control-Max-Age': '86400',
      });
      res.end();
      return;
    }
    const headers = { ...req.headers, host: target.host };
    const upstream = forward({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      const kept: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !/^access-control-/i.test(name) && name.toLowerCase() !== 'vary') kept[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, { ...kept, ...cors });
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502, cors);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
