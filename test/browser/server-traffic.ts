import type { BrowserContext, Page, Route } from '@playwright/test';
import type { PolyaxonServerHandle } from './fixtures';

/**
 * Every request the pages of one context make to the local server, seen through `context.route`,
 * and what happens to them: passed on, aborted (no network), or held forever (a request that is
 * in flight when the page goes away).
 */

export interface SeenRequest {
  method: string;
  /** Path under `/api/v1/`, e.g. `local/p/experiments/1/metrics/`. */
  path: string;
  idempotencyKey: string | undefined;
  /** Points in a metrics request body. */
  points: number;
  /** Body size in bytes. */
  bytes: number;
  /** The page that sent it, when Playwright can tell (a keepalive send of a closing page may have none). */
  page: Page | undefined;
  /** Milliseconds since the watch began. */
  atMs: number;
  /**
   * passed: forwarded and answered; aborted: failed as with no network; held: never forwarded,
   * never answered; lost: forwarded to the server, its answer never given to the page.
   */
  outcome: 'passed' | 'aborted' | 'held' | 'lost';
}

export interface HoldOptions {
  /** Forward the request to the server and drop only its answer (the server stores it). Default: false. */
  forward?: boolean;
}

export type TrafficMode = 'pass' | 'abort';

export interface ServerTraffic {
  readonly seen: SeenRequest[];
  /** What happens to the requests that follow (held ones stay held). */
  setMode(mode: TrafficMode): void;
  /**
   * Holds the next request that `matches` and never answers it (it stays in flight until its page
   * goes away); resolves with it once seen (and, with `forward`, once the server answered).
   */
  holdNext(matches: (request: SeenRequest) => boolean, options?: HoldOptions): Promise<SeenRequest>;
  metricsRequests(): SeenRequest[];
  /** How many requests carried each Idempotency-Key (keyed requests only). */
  countsByKey(filter?: (request: SeenRequest) => boolean): Map<string, number>;
  /** Stops watching: later requests go straight to the server, unseen. */
  stop(): Promise<void>;
}

export async function watchServerTraffic(context: BrowserContext, server: PolyaxonServerHandle, mode: TrafficMode = 'pass'): Promise<ServerTraffic> {
  const seen: SeenRequest[] = [];
  let current = mode;
  const holds: Array<{ matches: (request: SeenRequest) => boolean; options: HoldOptions; resolve: (request: SeenRequest) => void }> = [];
  const apiPrefix = `${server.url}/api/v1/`;
  const startedAt = Date.now();

  const pattern = `${server.url}/**`;
  await context.route(pattern, async (route: Route) => {
    const request = route.request();
    if (request.method() === 'OPTIONS') return route.continue();
    const seenRequest: SeenRequest = {
      method: request.method(),
      path: request.url().startsWith(apiPrefix) ? request.url().slice(apiPrefix.length) : request.url(),
      // headers(), not allHeaders(): read without a round trip to the browser, so a request a closing
      // page sends (its keepalive at pagehide) is still recorded once the page is gone.
      idempotencyKey: request.headers()['idempotency-key'],
      points: countPoints(request.url(), request.postData()),
      bytes: request.postDataBuffer()?.length ?? 0,
      page: pageOf(route),
      atMs: Date.now() - startedAt,
      outcome: 'passed',
    };
    seen.push(seenRequest);
    const hold = holds.find((candidate) => candidate.matches(seenRequest));
    if (hold) {
      holds.splice(holds.indexOf(hold), 1);
      seenRequest.outcome = hold.options.forward ? 'lost' : 'held';
      if (hold.options.forward) await route.fetch();
      hold.resolve(seenRequest);
      // Never answered: the request stays in flight until its page goes away.
      return;
    }
    if (current === 'abort') {
      seenRequest.outcome = 'aborted';
      return route.abort('internetdisconnected').catch(() => {});
    }
    return route.continue().catch(() => {});
  });

  const countsByKey = (filter: (request: SeenRequest) => boolean = () => true) => {
    const counts = new Map<string, number>();
    for (const request of seen) {
      if (!request.idempotencyKey || !filter(request)) continue;
      counts.set(request.idempotencyKey, (counts.get(request.idempotencyKey) ?? 0) + 1);
    }
    return counts;
  };

  return {
    seen,
    setMode(mode) {
      current = mode;
    },
    holdNext(matches, options = {}) {
      return new Promise((resolve) => holds.push({ matches, options, resolve }));
    },
    metricsRequests: () => seen.filter(isMetricsPost),
    countsByKey,
    stop: () => context.unroute(pattern),
  };
}

export function isMetricsPost(request: SeenRequest): boolean {
  return request.method === 'POST' && request.path.endsWith('/metrics/');
}

function pageOf(route: Route): Page | undefined {
  try {
    return route.request().frame().page();
  } catch {
    return undefined;
  }
}

function countPoints(url: string, body: string | null): number {
  if (!url.endsWith('/metrics/') || !body) return 0;
  try {
    const parsed = JSON.parse(body);
    return Array.isArray(parsed) ? parsed.length : 1;
  } catch {
    return 0;
  }
}
