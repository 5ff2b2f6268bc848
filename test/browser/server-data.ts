import type { PolyaxonServerHandle } from './fixtures';

/** Reads back, from the test process, what the local server ends with: the truth the specs assert on. */

/** The local server's largest page (src/server/pagination.ts MAX_PAGE_SIZE). */
const PAGE_LIMIT = 1000;

export interface StoredMetric {
  values: Record<string, number>;
  created_at: string;
}

export interface StoredStatus {
  status: string;
  message?: string | null;
}

export interface StoredExperiment {
  id: number;
  name: string | null;
  last_status?: string | null;
  [field: string]: unknown;
}

export interface ServerData {
  createProject(name: string): Promise<void>;
  experiments(project: string): Promise<StoredExperiment[]>;
  experiment(project: string, id: number): Promise<StoredExperiment>;
  metrics(project: string, id: number): Promise<StoredMetric[]>;
  statuses(project: string, id: number): Promise<StoredStatus[]>;
  logs(project: string, id: number): Promise<string>;
}

export function serverData(server: PolyaxonServerHandle): ServerData {
  const base = `${server.url}/api/v1`;
  const headers = { Authorization: `Token ${server.token}`, Accept: 'application/json' };

  async function call(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${base}/${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text === '' ? null : JSON.parse(text);
  }

  /** Every item of a paginated list, following `offset` in the largest pages the server gives. */
  async function all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; offset += PAGE_LIMIT) {
      const page = (await call('GET', `${path}?limit=${PAGE_LIMIT}&offset=${offset}`)) as { count: number; results: T[] };
      items.push(...page.results);
      if (page.results.length === 0 || items.length >= page.count) return items;
    }
  }

  const experimentPath = (project: string, id: number) => `${server.user}/${project}/experiments/${id}`;

  return {
    async createProject(name) {
      await call('POST', 'projects/', { name });
    },
    experiments: (project) => all<StoredExperiment>(`${server.user}/${project}/experiments/`),
    experiment: (project, id) => call('GET', `${experimentPath(project, id)}/`),
    metrics: (project, id) => all<StoredMetric>(`${experimentPath(project, id)}/metrics/`),
    statuses: (project, id) => all<StoredStatus>(`${experimentPath(project, id)}/statuses/`),
    async logs(project, id) {
      const response = await fetch(`${base}/${experimentPath(project, id)}/logs/`, { headers });
      return response.text();
    },
  };
}

/** The settings a page injects as `window.POLYAXON_ENV` to reach `server`. */
export function injectedEnv(server: PolyaxonServerHandle): Record<string, string | number> {
  return {
    POLYAXON_API_HOST: server.host,
    POLYAXON_HTTP_PORT: server.port,
    POLYAXON_SECRET_USER_TOKEN: server.token,
  };
}
