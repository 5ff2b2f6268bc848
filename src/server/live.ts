import type { ServerResponse } from 'node:http';
import { type RawJson, stringifyJson } from './json/raw-json';
import type { ServerEvent } from './model';

/** What the hub reads of the store: an experiment's project and last values. */
export interface LiveSource {
  experiment(id: number): { projectId: number; lastMetric: RawJson | null } | undefined;
}

/**
 * Live events for the dashboard: server-sent events over a kept-open response, one stream per
 * open page, filtered by project. The server calls `publish` once a write is committed, so a page
 * never hears of a point that a crash could still take back.
 */

export type LiveEventName = 'experiment' | 'status' | 'metrics' | 'logs';

export interface LiveEvent {
  event: LiveEventName;
  data: Record<string, unknown>;
}

export interface LiveHubOptions {
  /** Bytes a stream may have waiting in its socket before it is closed as too slow. Default: 1 MiB. */
  maxBufferedBytes?: number;
  /** Interval of the `: ping` comment that keeps proxies and idle timers from closing a stream. Default: 15_000 ms. */
  pingIntervalMs?: number;
}

interface Subscriber {
  projectId: number;
  res: ServerResponse;
}

const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
const DEFAULT_PING_INTERVAL_MS = 15_000;

export class LiveHub {
  private readonly subscribers = new Set<Subscriber>();
  // A deleted experiment is gone from the state by the time its event is published.
  private readonly projectOfExperiment = new Map<number, number>();
  private readonly maxBufferedBytes: number;
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    private readonly state: LiveSource,
    options: LiveHubOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.pingTimer = setInterval(() => this.broadcast(': ping\n\n'), options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /** Keeps `res` open as an event stream of `projectId` until the page or the server closes it. */
  subscribe(projectId: number, res: ServerResponse): void {
    const subscriber = { projectId, res };
    this.subscribers.add(subscriber);
    res.on('close', () => this.subscribers.delete(subscriber));
    // The headers and a first line go out at once, so the page's fetch() resolves now.
    this.write(subscriber, ': connected\n\n');
  }

  /** Tells every page of the affected projects what `events` (just committed) changed. */
  publish(events: readonly ServerEvent[]): void {
    if (this.subscribers.size === 0) return;
    for (const event of events) {
      const projectId = this.projectOf(event);
      const live = liveEvent(event, this.state);
      if (projectId === undefined || !live) continue;
      // stringifyJson writes last_metric's values as they were sent (1.0 stays 1.0).
      const text = `event: ${live.event}\ndata: ${stringifyJson(live.data)}\n\n`;
      for (const subscriber of this.subscribers) {
        // A run deleted before this hub saw it has no known project: every page hears of its id.
        if (projectId === null || subscriber.projectId === projectId) this.write(subscriber, text);
      }
    }
  }

  /** Ends every stream (at server close, so no response keeps the server open). */
  close(): void {
    clearInterval(this.pingTimer);
    for (const subscriber of this.subscribers) subscriber.res.end();
    this.subscribers.clear();
  }

  /** The event's project; null when only its experiment's id is known (a delete); undefined for no experiment. */
  private projectOf(event: ServerEvent): number | null | undefined {
    const experimentId = experimentOf(event);
    if (experimentId === undefined) return undefined;
    const known = this.state.experiment(experimentId)?.projectId;
    if (known !== undefined) this.projectOfExperiment.set(experimentId, known);
    const projectId = known ?? this.projectOfExperiment.get(experimentId) ?? null;
    if (event.type === 'experiment.delete') this.projectOfExperiment.delete(experimentId);
    return projectId;
  }

  private broadcast(text: string): void {
    for (const subscriber of this.subscribers) this.write(subscriber, text);
  }

  /** A page that does not read its stream is cut off (it reconnects and refetches) rather than buffered without bound. */
  private write(subscriber: Subscriber, text: string): void {
    const { res } = subscriber;
    if (res.destroyed) return;
    if (res.writableLength > this.maxBufferedBytes) {
      this.subscribers.delete(subscriber);
      res.destroy();
      return;
    }
    res.write(text);
  }
}

function experimentOf(event: ServerEvent): number | undefined {
  switch (event.type) {
    case 'experiment.create':
      return event.experiment.id;
    case 'experiment.update':
    case 'experiment.delete':
      return event.id;
    case 'status.create':
      return event.status.experiment;
    case 'metrics.create':
    case 'logs.append':
    case 'coderef.set':
      return event.experiment;
    default:
      return undefined;
  }
}

/** The contract's event for one committed server event; none for project changes. */
export function liveEvent(event: ServerEvent, state: LiveSource): LiveEvent | undefined {
  switch (event.type) {
    case 'experiment.create':
      return { event: 'experiment', data: { id: event.experiment.id, change: 'created' } };
    case 'experiment.update':
    case 'coderef.set':
      return { event: 'experiment', data: { id: experimentOf(event), change: 'updated' } };
    case 'experiment.delete':
      return { event: 'experiment', data: { id: event.id, change: 'deleted' } };
    case 'status.create':
      return {
        event: 'status',
        data: { experiment: event.status.experiment, status: event.status.status, created_at: event.status.createdAt },
      };
    case 'metrics.create':
      return {
        event: 'metrics',
        data: { experiment: event.experiment, count: event.metrics.length, last_metric: state.experiment(event.experiment)?.lastMetric ?? null },
      };
    case 'logs.append':
      return { event: 'logs', data: { experiment: event.experiment, count: event.lines.length } };
    default:
      return undefined;
  }
}
