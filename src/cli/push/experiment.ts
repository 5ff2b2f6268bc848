/**
 * Copies one source experiment into its target project, sending only what the record says has
 * not gone yet, in this order: a request that was in flight when an earlier push stopped; the
 * experiment (created, or found again, or its changed fields patched); the code reference; the
 * metric points in batches; the log lines; the statuses one by one. Statuses go last, together,
 * so the target sees the final status after every point, and a `running` copied from a finished
 * run is followed at once by its end (a Polyaxon server fails a running experiment that sends no
 * heartbeat for 30 minutes).
 *
 * The record is saved before each write request (its intent) and after each answer, so a push
 * killed at any moment resends at most the one request that was on the wire, with the same
 * Idempotency-Key (a local server answers it from memory: exactly once). A Polyaxon 0.6.1 server
 * ignores the key, so the create and the statuses are checked against what the target holds
 * before they are sent again; a metrics or logs batch cannot be checked (Polyaxon stores them
 * later, in a Celery task) and is sent again: at least once.
 */
import type { ExperimentResponse, StatusResponse } from '../../wire/schemas';
import { codeRefBody, COPIED_FIELDS, createBody, fieldHashes, metricPointOf, shortHash } from './copy';
import type { Source, SourceProject } from './source';
import type { StateFile, PushedExperiment } from './state';
import type { Target } from './target';

/** An experiment found among the target's newest may have been created this long before the record says. */
const CLOCK_SKEW_MS = 10 * 60_000;
/** How many of the target project's newest experiments are searched for one a killed push created. */
const ADOPT_SEARCH_ROWS = 50;

export interface PushContext {
  source: Source;
  target: Target;
  state: StateFile;
  /** Metric points (or log lines) per request at most; halved for an experiment on a 413. */
  batchSize: number;
  /** Target user and project name of this experiment's copy. */
  targetUser: string;
  targetProject: string;
  /** Makes sure the target project exists (once per project). */
  ensureProject(): Promise<void>;
  /** Target ids other records already hold in this project: never taken for this one. */
  claimedIds(): Set<number>;
  /** `points` more metric points went; `total` grows when the run logged more since the plan. */
  onPoints(points: number): void;
  onMorePoints(points: number): void;
}

export interface ExperimentCopy {
  outcome: 'new' | 'updated' | 'unchanged' | 'gone';
  /** Sent by this push (a resent in-flight request included). */
  metrics: number;
  logs: number;
  statuses: number;
  fields: number;
}

export function noCopyYet(): ExperimentCopy {
  return { outcome: 'unchanged', metrics: 0, logs: 0, statuses: 0, fields: 0 };
}

/**
 * Fills `copy` as it goes, so that what went is counted also when the copy stops half-way
 * (interrupted, or refused by the target).
 */
export async function pushExperiment(
  project: SourceProject,
  id: number,
  entry: PushedExperiment,
  plannedPoints: number,
  context: PushContext,
  copy: ExperimentCopy,
): Promise<void> {
  try {
    const detail = await context.source.experiment(project, id);
    if (!detail) {
      copy.outcome = 'gone';
      return;
    }
    const run = new ExperimentPush(project, id, entry, context, copy);
    await run.resumeInFlight();
    await run.experiment(detail);
    await run.codeRef();
    await run.metrics(plannedPoints);
    await run.logs();
    await run.statuses();
  } finally {
    if (copy.outcome === 'unchanged' && copy.metrics + copy.logs + copy.statuses + copy.fields > 0) copy.outcome = 'updated';
  }
}

class ExperimentPush {
  #batchSize: number;
  #statuses: StatusResponse[] | undefined;
  #logLines: string[] | undefined;

  constructor(
    private readonly project: SourceProject,
    private readonly id: number,
    private readonly entry: PushedExperiment,
    private readonly context: PushContext,
    private readonly copy: ExperimentCopy,
  ) {
    this.#batchSize = context.batchSize;
  }

  get #targetId(): number {
    if (this.entry.target.id === undefined) throw new Error('no target experiment yet');
    return this.entry.target.id;
  }

  #save(): void {
    this.context.state.save();
  }

  #key(...parts: Array<string | number>): string {
    return `push-${this.entry.nonce}-${parts.join('-')}`;
  }

  /** The request an earlier push was sending when it stopped, before anything that came after it. */
  async resumeInFlight(): Promise<void> {
    const inFlight = this.entry.inFlight;
    if (!inFlight) return;
    if (inFlight.kind === 'status') {
      const statuses = await this.#sourceStatuses();
      const landed = await this.context.target.statusAt(this.context.targetUser, this.context.targetProject, this.#targetId, inFlight.targetIndex);
      if (landed && landed.status === inFlight.status && (landed.message ?? '').trim() === (inFlight.message ?? '').trim()) {
        this.entry.statuses = inFlight.index + 1;
        this.entry.targetStatuses = inFlight.targetIndex + 1;
        delete this.entry.inFlight;
        this.#save();
        return;
      }
      this.entry.targetStatuses = inFlight.targetIndex;
      await this.#postStatus(statuses, inFlight.index, inFlight.key);
      return;
    }
    const items =
      inFlight.kind === 'metrics'
        ? (await this.context.source.metrics(this.project, this.id, inFlight.from, inFlight.count)).map(metricPointOf)
        : (await this.#sourceLogLines()).slice(inFlight.from, inFlight.from + inFlight.count);
    if (items.length !== inFlight.count) {
      throw new Error(`the source answers ${items.length} ${inFlight.kind} from ${inFlight.from} where the last push sent ${inFlight.count}`);
    }
    await this.#sendItems(inFlight.kind, inFlight.from, items, inFlight.key);
  }

  /** Creates the copy (or finds the one a killed push created), else patches the fields that changed. */
  async experiment(detail: ExperimentResponse): Promise<void> {
    const { target, targetUser, targetProject } = this.context;
    const hashes = fieldHashes(detail);
    if (this.entry.target.id === undefined) {
      await this.context.ensureProject();
      const earlier = this.entry.creating;
      let id = earlier && (await this.#findCreated(earlier.at, detail));
      if (id === undefined) {
        this.entry.creating = { at: new Date().toISOString(), fields: hashes };
        this.#save();
        id = await target.createExperiment(targetUser, targetProject, createBody(detail), this.#key('create'));
      }
      this.entry.target.id = id;
      // The create sent every field (a later change is patched by the next push); Polyaxon
      // records `created` itself (signals/experiments.py).
      this.entry.fields = this.entry.creating?.fields ?? hashes;
      this.entry.targetStatuses = 1;
      delete this.entry.creating;
      this.#save();
      this.copy.outcome = 'new';
      return;
    }
    for (const field of COPIED_FIELDS) {
      if (this.entry.fields[field] === hashes[field]) continue;
      // Without `merge`: the source's value replaces the target's, as it stands now.
      await target.patchExperiment(targetUser, targetProject, this.#targetId, { [field]: detail[field] ?? null }, this.#key('patch', field, hashes[field]));
      this.entry.fields[field] = hashes[field];
      this.#save();
      this.copy.fields += 1;
    }
  }

  /**
   * The experiment a push created before it was killed, before it could record the id: among the
   * target project's newest, one created since shortly before the record's `creating.at`, with the
   * source's name (or Polyaxon's `name-N` when the name was taken) and description, that no other
   * record holds. On a local target the create's Idempotency-Key would give it back as well.
   */
  async #findCreated(createdAt: string, detail: ExperimentResponse): Promise<number | undefined> {
    const since = Date.parse(createdAt) - CLOCK_SKEW_MS;
    const claimed = this.context.claimedIds();
    const rows = await this.context.target.newestExperiments(this.context.targetUser, this.context.targetProject, ADOPT_SEARCH_ROWS);
    const name = detail.name ?? null;
    const renamed = name === null ? null : new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`);
    const matches = rows.filter(
      (row) =>
        !claimed.has(row.id) &&
        Date.parse(row.created_at ?? '') >= since &&
        (row.name === name || (renamed !== null && row.name !== null && renamed.test(row.name))) &&
        (row.description ?? null) === (detail.description ?? null),
    );
    return matches.sort((a, b) => a.id - b.id)[0]?.id;
  }

  async codeRef(): Promise<void> {
    const ref = await this.context.source.codeRef(this.project, this.id);
    if (!ref) return;
    const body = codeRefBody(ref);
    const hash = shortHash(body ?? null);
    if (this.entry.codeRef === hash) return;
    await this.context.target.postCodeRef(this.context.targetUser, this.context.targetProject, this.#targetId, body, this.#key('coderef', hash));
    this.entry.codeRef = hash;
    this.#save();
  }

  async metrics(plannedPoints: number): Promise<void> {
    const total = await this.context.source.metricCount(this.project, this.id);
    const more = total - this.entry.metrics - plannedPoints;
    if (more > 0) this.context.onMorePoints(more);
    while (this.entry.metrics < total) {
      const from = this.entry.metrics;
      const points = await this.context.source.metrics(this.project, this.id, from, Math.min(this.#batchSize, total - from));
      if (points.length === 0) break;
      await this.#sendItems('metrics', from, points.map(metricPointOf));
    }
  }

  async logs(): Promise<void> {
    const lines = await this.#sourceLogLines();
    while (this.entry.logs < lines.length) {
      const from = this.entry.logs;
      await this.#sendItems('logs', from, lines.slice(from, from + this.#batchSize));
    }
  }

  async statuses(): Promise<void> {
    const statuses = await this.#sourceStatuses();
    while (this.entry.statuses < statuses.length) {
      const index = this.entry.statuses;
      // The target recorded its own `created` when the experiment was made.
      if (index === 0 && statuses[0].status === 'created') {
        this.entry.statuses = 1;
        continue;
      }
      await this.#postStatus(statuses, index, this.#key('status', index));
    }
  }

  async #postStatus(statuses: StatusResponse[], index: number, key: string): Promise<void> {
    const row = statuses[index];
    if (!row) throw new Error(`the source has no status number ${index + 1} any more`);
    const message = row.message ?? null;
    this.entry.inFlight = { kind: 'status', index, targetIndex: this.entry.targetStatuses, status: row.status, message, key };
    this.#save();
    const json: Record<string, string> = { status: row.status };
    if (row.message) json.message = row.message;
    if (row.traceback) json.traceback = row.traceback;
    await this.context.target.postStatus(this.context.targetUser, this.context.targetProject, this.#targetId, json, key);
    this.entry.statuses = index + 1;
    this.entry.targetStatuses += 1;
    delete this.entry.inFlight;
    this.#save();
    this.copy.statuses += 1;
  }

  /**
   * Sends source items `[from, from + items.length)` in batches, each saved as in flight first.
   * `firstKey` is the key an earlier push used for exactly this range. A 413 halves the batch
   * (for the rest of this experiment); a single item the target still refuses stops the copy.
   */
  async #sendItems(kind: 'metrics' | 'logs', from: number, items: unknown[], firstKey?: string): Promise<void> {
    let sent = 0;
    let key = firstKey;
    let size = firstKey ? items.length : Math.min(items.length, this.#batchSize);
    while (sent < items.length) {
      const count = Math.min(size, items.length - sent);
      const start = from + sent;
      const batchKey = key ?? this.#key(kind, start, count);
      this.entry.inFlight = { kind, from: start, count, key: batchKey };
      this.#save();
      const answer = await this.context.target.postBatch(
        this.context.targetUser, this.context.targetProject, this.#targetId, kind, items.slice(sent, sent + count), batchKey,
      );
      key = undefined;
      if (answer.kind === 'split') {
        if (count === 1) throw new Error(`the target refused one ${kind === 'metrics' ? 'metric point' : 'log line'} as too large (413)`);
        size = Math.ceil(count / 2);
        this.#batchSize = Math.min(this.#batchSize, size);
        delete this.entry.inFlight;
        continue;
      }
      sent += count;
      this.entry[kind] = start + count;
      delete this.entry.inFlight;
      this.#save();
      this.copy[kind] += count;
      if (kind === 'metrics') this.context.onPoints(count);
      size = Math.min(items.length, this.#batchSize);
    }
  }

  async #sourceStatuses(): Promise<StatusResponse[]> {
    return (this.#statuses ??= await this.context.source.statuses(this.project, this.id));
  }

  async #sourceLogLines(): Promise<string[]> {
    return (this.#logLines ??= await this.context.source.logLines(this.project, this.id));
  }
}
