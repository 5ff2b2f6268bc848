/**
 * The server `push` copies from, read through its REST API with PolyaxonClient (never through its
 * files: the API is the stable contract whatever the server stores its data in). Lists are read
 * page by page with an explicit `offset` advanced by what each page held, since a server may
 * answer fewer rows than the `limit` asked for (the local server caps it at 1,000).
 */
import type { PolyaxonClient } from '../../client/client';
import type { CodeReferenceResponse, ExperimentResponse, MetricResponse, Paginated, ProjectResponse, StatusResponse } from '../../wire/schemas';
import { PolyaxonError } from '../../runtime/errors';
import { clientAttempt, retrying, type RetryOptions } from './retry';

/** Rows asked for per list page. */
const LIST_PAGE_ROWS = 1000;
/** Guards every paging loop against a server whose `count` never stops growing. */
const MAX_PAGES = 1_000_000;

export interface SourceProject {
  user: string;
  name: string;
  description: string | null;
  tags: string[] | null;
  isPublic: boolean | null;
}

export class Source {
  readonly #client: PolyaxonClient;
  readonly #retry: RetryOptions;

  constructor(client: PolyaxonClient, retry: RetryOptions) {
    this.#client = client;
    this.#retry = retry;
  }

  get baseUrl(): string {
    return this.#client.settings.baseUrl;
  }

  #read<T>(call: () => Promise<T>): Promise<T> {
    return retrying(() => clientAttempt(call), this.#retry);
  }

  async #all<T>(page: (offset: number) => Promise<Paginated<T>>): Promise<T[]> {
    const rows: T[] = [];
    for (let pages = 0; pages < MAX_PAGES; pages += 1) {
      const answer = await this.#read(() => page(rows.length));
      rows.push(...answer.results);
      if (answer.results.length === 0 || rows.length >= answer.count) break;
    }
    return rows;
  }

  async whoAmI(): Promise<string> {
    return (await this.#read(() => this.#client.auth.getUser())).username;
  }

  /** The user's projects by name, so that every push walks them in the same order. */
  async projects(user: string): Promise<SourceProject[]> {
    const rows = await this.#all((offset) => this.#client.project.listProjects(user, { offset, limit: LIST_PAGE_ROWS }));
    return rows.map((row) => projectOf(user, row)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The project, or undefined when the source has no such project (404). */
  async project(user: string, name: string): Promise<SourceProject | undefined> {
    const row = await this.#unlessMissing(() => this.#client.project.getProject(user, name));
    return row && projectOf(user, row);
  }

  /** Every experiment of the project, oldest first (`created_at`, then `id` where the server sorts by it). */
  async experiments(project: SourceProject): Promise<ExperimentResponse[]> {
    const rows = await this.#all((offset) =>
      this.#client.project.listExperiments(project.user, project.name, { sort: 'created_at,id', offset, limit: LIST_PAGE_ROWS }),
    );
    // A row created while the list was read can shift a page: keep each id once.
    const seen = new Set<number>();
    return rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
  }

  /** The experiment's detail, or undefined when it was deleted meanwhile. */
  experiment(project: SourceProject, id: number): Promise<ExperimentResponse | undefined> {
    return this.#unlessMissing(() => this.#client.experiment.get(project.user, project.name, id));
  }

  async metricCount(project: SourceProject, id: number): Promise<number> {
    return (await this.#read(() => this.#client.experiment.getMetrics(project.user, project.name, id, { offset: 0, limit: 1 }))).count;
  }

  /** Up to `limit` metric points from `offset`, in the server's order (fewer when the server pages smaller). */
  async metrics(project: SourceProject, id: number, offset: number, limit: number): Promise<MetricResponse[]> {
    const points: MetricResponse[] = [];
    while (points.length < limit) {
      const page = await this.#read(() =>
        this.#client.experiment.getMetrics(project.user, project.name, id, { offset: offset + points.length, limit: limit - points.length }),
      );
      points.push(...page.results);
      if (page.results.length === 0 || offset + points.length >= page.count) break;
    }
    return points;
  }

  statuses(project: SourceProject, id: number): Promise<StatusResponse[]> {
    return this.#all((offset) => this.#client.experiment.getStatuses(project.user, project.name, id, { offset, limit: LIST_PAGE_ROWS }));
  }

  /**
   * The log lines. The logs endpoint answers text, one line per `\n`; a line that held a newline
   * itself comes back as two, which posts back to the same text. Polyaxon 0.6.1 answers 404
   * "Experiment has no logs." for a run without any (api/experiments/views.py, ExperimentLogsView).
   */
  async logLines(project: SourceProject, id: number): Promise<string[]> {
    const text = (await this.#unlessMissing(() => this.#client.experiment.getLogs(project.user, project.name, id))) ?? '';
    if (text === '') return [];
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  /**
   * The code reference, or null when the run has none: the local server answers 404, Polyaxon
   * 0.6.1 answers the serializer's empty form (no `id`, empty strings).
   */
  async codeRef(project: SourceProject, id: number): Promise<CodeReferenceResponse | null> {
    const ref = await this.#unlessMissing(() => this.#client.experiment.getCodeReference(project.user, project.name, id));
    if (!ref || (ref as { id?: unknown }).id === undefined) return null;
    return ref;
  }

  async #unlessMissing<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.#read(call);
    } catch (error) {
      if (error instanceof PolyaxonError && error.status === 404) return undefined;
      throw error;
    }
  }
}

function projectOf(user: string, row: ProjectResponse): SourceProject {
  return {
    user: row.user ?? user,
    name: row.name,
    description: row.description ?? null,
    tags: row.tags ?? null,
    isPublic: row.is_public ?? null,
  };
}
