import {
  DONE_STATUSES,
  STARTED_STATUSES,
  type ExperimentRecord,
  type JournalEntry,
  type MetricRecord,
  type ProjectRecord,
  type RememberedResponse,
  type ServerEvent,
  type StatusRecord,
} from '../model';
import type { WalSync } from './durability';
import { Experiments, type ExperimentOrder } from './experiments';
import { IdempotencyKeys } from './idempotency';
import { mergedLastMetric } from './last-metric';
import { Logs } from './logs';
import { Metrics, type StoredMetric } from './metrics';
import { Projects } from './projects';
import { IdSequences, type IdKind } from './sequences';
import { SeriesBlocks } from './series-blocks';
import { seriesPointsOf } from './series-ingest';
import type { Database } from './sqlite';
import { Statuses } from './statuses';

/**
 * The server's data in SQLite: what routes read, and the one way to change it, `apply(event)`
 * inside `write()`. Each `write()` is one transaction (the request's changes and its
 * idempotency key, or nothing); `durable()` resolves once every committed write is on disk.
 */
export class ServerStore {
  readonly series: SeriesBlocks;
  readonly #projects: Projects;
  readonly #experiments: Experiments;
  readonly #statuses: Statuses;
  readonly #metrics: Metrics;
  readonly #logs: Logs;
  readonly #keys: IdempotencyKeys;
  readonly #ids: IdSequences;
  readonly #transaction: (work: () => unknown) => unknown;

  constructor(
    readonly db: Database,
    /** The database file, for messages. */
    readonly file: string,
    private readonly walSync: WalSync,
  ) {
    this.#projects = new Projects(db);
    this.#experiments = new Experiments(db);
    this.#statuses = new Statuses(db);
    this.#metrics = new Metrics(db);
    this.#logs = new Logs(db);
    this.#keys = new IdempotencyKeys(db);
    this.#ids = new IdSequences(db);
    this.series = new SeriesBlocks(db);
    this.#transaction = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` as one transaction: every change in it is committed together, or none on a throw. */
  write<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    const result = this.#transaction(work) as T;
    this.walSync.committed();
    return result;
  }

  /** Resolves once every committed write is on disk (a request is acknowledged only after this). */
  durable(): Promise<void> {
    return this.walSync.durable();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.durable().catch(() => undefined);
    await this.walSync.close();
    this.db.close();
  }

  // Ids.
  nextId(kind: IdKind): number {
    return this.#ids.next(kind);
  }

  peekIds(kind: IdKind, count: number): number[] {
    return this.#ids.peek(kind, count);
  }

  // Reads.
  findProject(user: string, name: string): ProjectRecord | undefined {
    return this.#projects.find(user, name);
  }

  project(id: number): ProjectRecord | undefined {
    return this.#projects.get(id);
  }

  projectsOf(user: string): ProjectRecord[] {
    return this.#projects.ofUser(user);
  }

  experiment(id: number): ExperimentRecord | undefined {
    return this.#experiments.get(id);
  }

  experimentsOf(projectId: number): ExperimentRecord[] {
    return this.#experiments.ofProject(projectId);
  }

  /** One page of the project's experiments, read without the others. */
  experimentPage(projectId: number, order: ExperimentOrder, offset: number, limit: number): ExperimentRecord[] {
    return this.#experiments.pageOfProject(projectId, order, offset, limit);
  }

  isExperimentNameTaken(projectId: number, name: string): boolean {
    return this.#experiments.isNameTaken(projectId, name);
  }

  /** Experiments of every project whose name starts with `name` and is not `name` itself. */
  countExperimentNamesExtending(name: string): number {
    return this.#experiments.countNamesExtending(name);
  }

  experimentCount(projectId: number): number {
    return this.#experiments.countOfProject(projectId);
  }

  runningExperimentIds(): number[] {
    return this.#experiments.runningIds();
  }

  statusesOf(experimentId: number): StatusRecord[] {
    return this.#statuses.ofExperiment(experimentId);
  }

  metricCount(experimentId: number): number {
    return this.#experiments.metricState(experimentId)?.count ?? 0;
  }

  /** Points `offset`..`offset + limit - 1` of the run, values as unparsed JSON text. */
  metricsPage(experimentId: number, offset: number, limit: number): StoredMetric[] {
    return this.#metrics.page(experimentId, offset, limit);
  }

  logsOf(experimentId: number): string[] {
    return this.#logs.ofExperiment(experimentId);
  }

  recall(user: string, key: string): RememberedResponse | undefined {
    return this.#keys.recall(user, key);
  }

  // Changes, only inside write().
  remember(user: string, key: string, response: RememberedResponse, at: string): void {
    this.#requireTransaction();
    this.#keys.remember(user, key, response, at);
  }

  /** Applies one journal entry of an earlier version (the JSONL import). */
  applyEntry(entry: JournalEntry): void {
    for (const event of entry.events) this.apply(event);
    if (entry.idempotency) this.remember(entry.idempotency.user, entry.idempotency.key, entry.idempotency.response, entry.at);
  }

  /** The same meaning, event by event, as the in-memory state of earlier versions gave them. */
  apply(event: ServerEvent): void {
    this.#requireTransaction();
    switch (event.type) {
      case 'project.create':
        this.#projects.insert(event.project);
        this.#ids.take('project', event.project.id);
        return;
      case 'project.update':
        this.#projects.update(event.id, event.changes, event.at);
        return;
      case 'project.delete':
        for (const id of this.#experiments.idsOfProject(event.id)) this.#deleteExperiment(id);
        this.#projects.delete(event.id);
        return;
      case 'experiment.create':
        this.#experiments.insert(event.experiment);
        this.#ids.take('experiment', event.experiment.id);
        return;
      case 'experiment.update':
        this.#experiments.update(event.id, event.changes, event.at);
        return;
      case 'experiment.delete':
        this.#deleteExperiment(event.id);
        return;
      case 'status.create': {
        const { status } = event;
        this.#ids.take('status', status.id);
        if (!this.#experiments.get(status.experiment)) return;
        this.#statuses.insert(status);
        this.#experiments.recordStatus(
          status.experiment, status.status, status.createdAt,
          STARTED_STATUSES.has(status.status), DONE_STATUSES.has(status.status),
        );
        return;
      }
      case 'metrics.create':
        this.#applyMetrics(event.experiment, event.metrics, event.at);
        return;
      case 'logs.append':
        if (this.#experiments.get(event.experiment)) this.#logs.append(event.experiment, event.lines);
        return;
      case 'coderef.set':
        if (!this.#experiments.get(event.experiment)) return;
        this.#experiments.setCodeReference(event.experiment, event.codeReference, event.at);
        this.#ids.take('codeReference', event.codeReference.id);
        return;
    }
  }

  #applyMetrics(experimentId: number, metrics: MetricRecord[], at: string): void {
    if (metrics.length === 0) return;
    this.#ids.take('metric', metrics.reduce((highest, metric) => Math.max(highest, metric.id), 0));
    const state = this.#experiments.metricState(experimentId);
    if (!state) return;
    const firstSeq = state.count;
    this.#metrics.append(experimentId, firstSeq, metrics);
    for (const [name, points] of seriesPointsOf(metrics, firstSeq)) this.series.append(experimentId, name, points);
    this.#experiments.recordMetrics(experimentId, mergedLastMetric(state.lastMetric, metrics), metrics.length, at);
  }

  #deleteExperiment(id: number): void {
    this.#experiments.delete(id);
    this.#statuses.deleteOfExperiment(id);
    this.#metrics.deleteOfExperiment(id);
    this.series.deleteOfExperiment(id);
    this.#logs.deleteOfExperiment(id);
  }

  #requireTransaction(): void {
    if (!this.db.inTransaction) throw new Error('the store changes only inside write()');
  }
}
