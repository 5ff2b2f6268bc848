/**
 * One `push`: check both servers and tokens, list what to copy, then copy experiment after
 * experiment under one record file, with a progress bar on a terminal and one summary line.
 */
import { randomBytes } from 'node:crypto';
import { PolyaxonClient } from '../../client/client';
import type { ExperimentResponse } from '../../wire/schemas';
import { PolyaxonError } from '../../runtime/errors';
import { resolveClientSettings } from '../../runtime/settings';
import { startServer, type RunningServer } from '../../server/index';
import { formatCount, formatSeconds, progressFor, type Output } from '../progress';
import { noCopyYet, pushExperiment, type ExperimentCopy } from './experiment';
import type { PushOptions, ServerAddress } from './options';
import { GaveUp, type RetryOptions } from './retry';
import { Source, type SourceProject } from './source';
import { defaultStatePath, entryKey, newEntry, StateFile } from './state';
import { Target, TargetRefused } from './target';
import { FROM_TOKEN_VARIABLE, sourceToken, targetToken, TOKEN_ORIGINS, TOKEN_VARIABLE } from './tokens';

/** One request never waits longer than this for its answer. */
const REQUEST_TIMEOUT_MS = 60_000;
/** The first call to each server is retried this long at most: a wrong URL should not take minutes to say so. */
const PROBE_RETRY_MS = 15_000;

export interface PushIo {
  stdout: Output;
  stderr: { write(text: string): unknown };
  getEnv(name: string): string | undefined;
  /** The Node runtime's timers: a request's timeout never holds the process open. */
  runtime: { unrefTimer(timer: unknown): void };
  /** Aborted by the first SIGINT: the push stops between two requests. */
  signal: AbortSignal;
}

/** A failure that ends the whole push, told in one line. */
class Stop extends Error {}

interface Job {
  project: SourceProject;
  row: ExperimentResponse;
  targetUser: string;
  targetProject: string;
  key: string;
  plannedPoints: number;
}

export async function runPush(options: PushOptions, io: PushIo): Promise<number> {
  const startedAt = performance.now();
  let note: string | undefined;
  const retry: RetryOptions = {
    retryForMs: options.retryForSeconds * 1000,
    signal: io.signal,
    onWait: (waitMs, reason) => (note = `retrying in ${formatSeconds(waitMs / 1000)} s: ${reason.slice(0, 60)}`),
  };
  const probeRetry: RetryOptions = { ...retry, retryForMs: Math.min(retry.retryForMs, PROBE_RETRY_MS) };
  let local: RunningServer | undefined;
  let state: StateFile | undefined;
  const progress = progressFor('push', io.stdout);
  try {
    const warn = (line: string) => io.stderr.write(`polyaxon-tracking push: ${line}\n`);
    const toToken = await targetToken(options, io.getEnv, warn);
    const fromTokenRead = options.data === undefined ? await sourceToken(options, io.getEnv, warn) : { kind: 'ok' as const };
    for (const read of [toToken, fromTokenRead]) if (read.kind === 'error') throw new Stop(read.message);
    const targetSettings = resolveClientSettings(
      { ...address(options.to), token: toToken.kind === 'ok' ? toToken.token : undefined, timeoutMs: REQUEST_TIMEOUT_MS },
      () => undefined,
    );
    const target = new Target(targetSettings, retry, io.runtime);
    let from = options.from;
    let fromToken = fromTokenRead.kind === 'ok' ? fromTokenRead.token : undefined;
    if (options.data !== undefined) {
      local = await serveDataFolder(options.data, options.project?.user);
      from = { host: local.host, port: local.port, useHttps: false, origin: local.url };
      fromToken = local.token;
    }
    const sourceClient = (retryFor: RetryOptions) =>
      new Source(new PolyaxonClient({ ...address(from), token: fromToken, timeoutMs: REQUEST_TIMEOUT_MS, env: {} }), retryFor);
    const source = sourceClient(retry);

    const targetUser = await probe('target', target.baseUrl, () => new Target(targetSettings, probeRetry, io.runtime).whoAmI());
    const sourceUser = await probe('source', source.baseUrl, () => sourceClient(probeRetry).whoAmI());
    const projects = await sourceProjects(source, sourceUser, options);
    const statePath = options.statePath ?? defaultStatePath(target.baseUrl);
    state = StateFile.open(statePath, target.baseUrl);
    const jobs = await plan(source, projects, targetUser, state, options);

    const counts = { experiments: 0, points: 0, totalPoints: jobs.reduce((sum, job) => sum + job.plannedPoints, 0) };
    const draw = () => {
      progress.update(
        [
          { done: counts.experiments, total: jobs.length, unit: 'experiments' },
          { done: counts.points, total: counts.totalPoints, unit: 'points' },
        ],
        note,
      );
      note = undefined;
    };
    draw();
    const ensured = new Map<string, Promise<void>>();
    const tally: Tally = { new: 0, updated: 0, unchanged: 0, gone: 0, metrics: 0, logs: 0, statuses: 0, fields: 0 };
    const failures: string[] = [];
    let interrupted = false;
    for (const job of jobs) {
      if (io.signal.aborted) {
        interrupted = true;
        break;
      }
      const entry = (state.state.experiments[job.key] ??= newEntry(
        { baseUrl: source.baseUrl, project: `${job.project.user}/${job.project.name}`, id: job.row.id },
        `${job.targetUser}/${job.targetProject}`,
      ));
      const targetPath = `${job.targetUser}/${job.targetProject}`;
      const copy = noCopyYet();
      try {
        await pushExperiment(job.project, job.row.id, entry, job.plannedPoints, {
          source,
          target,
          state,
          batchSize: options.batchSize,
          targetUser: job.targetUser,
          targetProject: job.targetProject,
          ensureProject: () => {
            if (!ensured.has(targetPath)) ensured.set(targetPath, ensureProject(target, targetUser, job));
            return ensured.get(targetPath)!;
          },
          claimedIds: () => claimedIds(state!, targetPath, job.key),
          onPoints: (points) => {
            counts.points += points;
            draw();
          },
          onMorePoints: (points) => {
            counts.totalPoints += points;
          },
        }, copy);
      } catch (error) {
        if (error instanceof GaveUp && error.interrupted) {
          interrupted = true;
          break;
        }
        if (error instanceof Stop) throw error;
        if (error instanceof TargetRefused && (error.status === 401 || error.status === 403)) throw tokenRefused('target', target.baseUrl, error);
        failures.push(`${describeExperiment(job)}: ${describeError(error)}`);
      } finally {
        addTo(tally, copy);
      }
      counts.experiments += 1;
      draw();
    }
    progress.finish();
    for (const failure of failures) io.stderr.write(`polyaxon-tracking push: ${failure}\n`);
    const seconds = (performance.now() - startedAt) / 1000;
    const parts = [
      `push to ${target.baseUrl}: ${formatCount(counts.experiments)} of ${formatCount(jobs.length)} experiments ` +
        `(${tally.new} new, ${tally.updated} updated, ${tally.unchanged} unchanged${tally.gone ? `, ${tally.gone} gone from the source` : ''}), ` +
        `${formatCount(tally.metrics)} metric points, ${formatCount(tally.logs)} log lines, ${formatCount(tally.statuses)} statuses, ` +
        `${formatCount(tally.fields)} changed fields in ${formatSeconds(seconds)} s`,
    ];
    if (failures.length > 0) parts.push(`${failures.length} failed (see above)`);
    if (interrupted) parts.push('interrupted: run the same command again to resume');
    parts.push(`record: ${state.path}`);
    io.stdout.write(`${parts.join('; ')}\n`);
    return interrupted ? 130 : failures.length > 0 ? 1 : 0;
  } catch (error) {
    progress.finish();
    if (error instanceof GaveUp && error.interrupted) {
      io.stderr.write('polyaxon-tracking push: interrupted before anything was sent\n');
      return 130;
    }
    io.stderr.write(`polyaxon-tracking push: ${error instanceof Stop ? error.message : describeError(error)}\n`);
    return 1;
  } finally {
    state?.close();
    await local?.close();
  }
}

type Tally = Record<ExperimentCopy['outcome'], number> & Omit<ExperimentCopy, 'outcome'>;

/** Counts what one experiment's copy sent, also when it stopped half-way. */
function addTo(tally: Tally, copy: ExperimentCopy): void {
  tally[copy.outcome] += 1;
  tally.metrics += copy.metrics;
  tally.logs += copy.logs;
  tally.statuses += copy.statuses;
  tally.fields += copy.fields;
}

function address(server: ServerAddress): { host: string; port: number; useHttps: boolean } {
  return { host: server.host, port: server.port, useHttps: server.useHttps };
}

/**
 * `--data DIR`: the folder served by this process on a loopback port only it knows, with a token
 * only it knows, and no zombie sweep (a push only reads: nothing in the folder may change).
 */
function serveDataFolder(dataDir: string, user: string | undefined): Promise<RunningServer> {
  return startServer({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    quiet: true,
    token: randomBytes(20).toString('hex'),
    user: user ?? 'local',
    zombieTimeoutMs: Number.MAX_SAFE_INTEGER,
  });
}

/** The first call to a server: a refused token or nothing listening is said in one line, with the fix. */
async function probe<T>(side: 'source' | 'target', baseUrl: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TargetRefused && (error.status === 401 || error.status === 403)) throw tokenRefused(side, baseUrl, error);
    if (error instanceof PolyaxonError && (error.status === 401 || error.status === 403)) throw tokenRefused(side, baseUrl, error);
    if (error instanceof GaveUp && !error.interrupted && error.status !== undefined) {
      throw new Stop(`the ${side} ${baseUrl} keeps answering ${error.status}: ${error.message}; try again later, or give --retry-for SECONDS`);
    }
    if (error instanceof GaveUp && !error.interrupted) {
      const hint = side === 'source' ? 'is `polyaxon-tracking serve` running there (or give --from URL, or --data DIR)?' : 'is the --to URL right?';
      throw new Stop(`cannot reach the ${side} ${baseUrl}: ${error.message}; ${hint}`);
    }
    throw error;
  }
}

function tokenRefused(side: 'source' | 'target', baseUrl: string, error: TargetRefused | PolyaxonError): Stop {
  const said = error instanceof TargetRefused ? `${error.status} ${error.outcome.message}` : `${error.status} ${error.serverMessage}`;
  const fix =
    side === 'target'
      ? `give the right token with --token-file FILE or ${TOKEN_VARIABLE}`
      : `give the source's token with --from-token-file FILE or ${FROM_TOKEN_VARIABLE}`;
  return new Stop(`the ${side} ${baseUrl} refused the token (${said}): ${fix} (${TOKEN_ORIGINS})`);
}

async function sourceProjects(source: Source, sourceUser: string, options: PushOptions): Promise<SourceProject[]> {
  if (options.project) {
    const user = options.project.user ?? sourceUser;
    const project = await source.project(user, options.project.name);
    if (!project) throw new Stop(`the source ${source.baseUrl} has no project ${user}/${options.project.name}`);
    return [project];
  }
  const projects = await source.projects(sourceUser);
  if (options.toProject && projects.length > 1) {
    throw new Stop(`--to-project copies one project: the source has ${projects.length} (${projects.map((project) => project.name).join(', ')}); choose one with --project`);
  }
  return projects;
}

/** Every experiment to copy, with its record key and how many points it has not sent yet. */
async function plan(source: Source, projects: SourceProject[], targetUser: string, state: StateFile, options: PushOptions): Promise<Job[]> {
  const wanted = options.experiments && new Set(options.experiments);
  const jobs: Job[] = [];
  for (const project of projects) {
    const targetProject = options.toProject ?? { user: targetUser, name: project.name };
    const target = { user: targetProject.user ?? targetUser, name: targetProject.name };
    for (const row of await source.experiments(project)) {
      if (wanted && !wanted.has(row.id)) continue;
      const key = entryKey(row.uuid ?? `${source.baseUrl}#${row.id}`, `${target.user}/${target.name}`);
      const pushed = state.state.experiments[key]?.metrics ?? 0;
      const plannedPoints = Math.max(0, (await source.metricCount(project, row.id)) - pushed);
      jobs.push({ project, row, targetUser: target.user, targetProject: target.name, key, plannedPoints });
    }
  }
  if (wanted) {
    const found = new Set(jobs.map((job) => job.row.id));
    const missing = [...wanted].filter((id) => !found.has(id));
    if (missing.length > 0) {
      const where = projects.map((project) => `${project.user}/${project.name}`).join(', ') || 'no project';
      throw new Stop(`--experiments: no experiment ${missing.join(', ')} in ${where} on the source ${source.baseUrl}`);
    }
  }
  return jobs;
}

async function ensureProject(target: Target, targetUser: string, job: Job): Promise<void> {
  if (await target.hasProject(job.targetUser, job.targetProject)) return;
  if (job.targetUser !== targetUser) {
    throw new Stop(`the target has no project ${job.targetUser}/${job.targetProject}, and only ${job.targetUser} can create it (the token is ${targetUser}'s)`);
  }
  const { description, tags, isPublic } = job.project;
  await target.createProject(job.targetUser, job.targetProject, { description, tags, is_public: isPublic });
}

function claimedIds(state: StateFile, targetPath: string, except: string): Set<number> {
  const ids = new Set<number>();
  for (const [key, entry] of Object.entries(state.state.experiments)) {
    if (key !== except && entry.target.project === targetPath && entry.target.id !== undefined) ids.add(entry.target.id);
  }
  return ids;
}

function describeExperiment(job: Job): string {
  return `${job.project.user}/${job.project.name} #${job.row.id}${job.row.name ? ` "${job.row.name}"` : ''}`;
}

function describeError(error: unknown): string {
  if (error instanceof Stop || error instanceof TargetRefused || error instanceof GaveUp || error instanceof PolyaxonError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
