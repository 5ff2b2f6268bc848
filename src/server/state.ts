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
} from './model';

type IdKind = 'project' | 'experiment' | 'status' | 'metric' | 'codeReference';

/**
 * The server's memory: projects, experiments and their statuses, metrics and logs, rebuilt from
 * the journal at start and changed only by applying events, so memory and disk never disagree
 * about what an event means.
 */
export class ServerState {
  readonly projects = new Map<number, ProjectRecord>();
  readonly experiments = new Map<number, ExperimentRecord>();
  readonly statuses = new Map<number, StatusRecord[]>();
  readonly metrics = new Map<number, MetricRecord[]>();
  readonly logs = new Map<number, string[]>();
  private readonly remembered = new Map<string, RememberedResponse>();
  // Ids are never reused, even after a delete (Polyaxon's are database sequences).
  private lastIds: Record<IdKind, number> = { project: 0, experiment: 0, status: 0, metric: 0, codeReference: 0 };

  nextId(kind: IdKind): number {
    return this.lastIds[kind] + 1;
  }

  /** Allocates `count` consecutive ids without applying anything (for multi-record events). */
  peekIds(kind: IdKind, count: number): number[] {
    const first = this.lastIds[kind] + 1;
    return Array.from({ length: count }, (_, index) => first + index);
  }

  /** Forgets everything, so the journal can be replayed from scratch (after a failed write). */
  clear(): void {
    for (const map of [this.projects, this.experiments, this.statuses, this.metrics, this.logs, this.remembered]) map.clear();
    this.lastIds = { project: 0, experiment: 0, status: 0, metric: 0, codeReference: 0 };
  }

  applyEntry(entry: JournalEntry): void {
    for (const event of entry.events) this.apply(event);
    const remembered = entry.idempotency;
    if (remembered) this.remember(remembered.user, remembered.key, remembered.response);
  }

  remember(user: string, key: string, response: RememberedResponse): void {
    this.remembered.set(idempotencyKey(user, key), response);
  }

  recall(user: string, key: string): RememberedResponse | undefined {
    return this.remembered.get(idempotencyKey(user, key));
  }

  forget(user: string, key: string): void {
    this.remembered.delete(idempotencyKey(user, key));
  }

  apply(event: ServerEvent): void {
    switch (event.type) {
      case 'project.create':
        this.projects.set(event.project.id, { ...event.project });
        this.bump('project', event.project.id);
        return;
      case 'project.update': {
        const project = this.projects.get(event.id);
        if (project) Object.assign(project, event.changes, { updatedAt: event.at });
        return;
      }
      case 'project.delete':
        for (const experiment of this.experimentsOf(event.id)) this.deleteExperiment(experiment.id);
        this.projects.delete(event.id);
        return;
      case 'experiment.create':
        this.experiments.set(event.experiment.id, { ...event.experiment });
        this.bump('experiment', event.experiment.id);
        return;
      case 'experiment.update': {
        const experiment = this.experiments.get(event.id);
        if (experiment) Object.assign(experiment, event.changes, { updatedAt: event.at });
        return;
      }
      case 'experiment.delete':
        this.deleteExperiment(event.id);
        return;
      case 'status.create':
        this.applyStatus(event.status);
        return;
      case 'metrics.create':
        this.applyMetrics(event.experiment, event.metrics, event.at);
        return;
      case 'logs.append': {
        const experiment = this.experiments.get(event.experiment);
        if (!experiment) return;
        listFor(this.logs, event.experiment).push(...event.lines);
        return;
      }
      case 'coderef.set': {
        const experiment = this.experiments.get(event.experiment);
        if (!experiment) return;
        experiment.codeReference = { ...event.codeReference };
        experiment.updatedAt = event.at;
        this.bump('codeReference', event.codeReference.id);
        return;
      }
    }
  }

  findProject(user: string, name: string): ProjectRecord | undefined {
    for (const project of this.projects.values()) {
      if (project.user === user && project.name === name) return project;
    }
    return undefined;
  }

  projectsOf(user: string): ProjectRecord[] {
    return [...this.projects.values()].filter((project) => project.user === user);
  }

  experimentsOf(projectId: number): ExperimentRecord[] {
    return [...this.experiments.values()].filter((experiment) => experiment.projectId === projectId);
  }

  private applyStatus(status: StatusRecord): void {
    const experiment = this.experiments.get(status.experiment);
    this.bump('status', status.id);
    if (!experiment) return;
    listFor(this.statuses, status.experiment).push({ ...status });
    experiment.lastStatus = status.status;
    experiment.updatedAt = status.createdAt;
    // Polyaxon sets each timestamp once: the first start and the first end count.
    if (STARTED_STATUSES.has(status.status) && !experiment.startedAt) experiment.startedAt = status.createdAt;
    if (DONE_STATUSES.has(status.status) && !experiment.finishedAt) experiment.finishedAt = status.createdAt;
  }

  private applyMetrics(experimentId: number, metrics: MetricRecord[], at: string): void {
    for (const metric of metrics) this.bump('metric', metric.id);
    const experiment = this.experiments.get(experimentId);
    if (!experiment) return;
    const stored = listFor(this.metrics, experimentId);
    let last = { ...(experiment.lastMetric ?? {}) };
    for (const metric of metrics) {
      stored.push({ ...metric });
      // Spread copies a `__proto__` key as data, where Object.assign would set the prototype.
      if (Object.hasOwn(metric.values, '__proto__')) last = { ...last, ...metric.values };
      else Object.assign(last, metric.values);
    }
    experiment.lastMetric = last;
    experiment.updatedAt = at;
  }

  private deleteExperiment(id: number): void {
    this.experiments.delete(id);
    this.statuses.delete(id);
    this.metrics.delete(id);
    this.logs.delete(id);
  }

  private bump(kind: IdKind, id: number): void {
    if (id > this.lastIds[kind]) this.lastIds[kind] = id;
  }
}

function idempotencyKey(user: string, key: string): string {
  return `${user}\n${key}`;
}

function listFor<T>(map: Map<number, T[]>, id: number): T[] {
  let list = map.get(id);
  if (!list) {
    list = [];
    map.set(id, list);
  }
  return list;
}
