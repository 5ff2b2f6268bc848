import type { PolyaxonClient } from '../client/client';
import type { Environment } from '../runtime/environment';
import type { AdjustedReason, ExperimentStatus } from '../wire/validation';

/**
 * What the integrations use of an experiment; `Experiment` has all of it. Declared here, beside
 * them, so that no integration imports the Experiment class, which offers them as methods.
 */
export interface TrackedExperiment {
  /** Local key of the run. */
  readonly run: string;
  /** Server id, once known. */
  readonly id: number | undefined;
  /** Resolves with the server id once the create is acknowledged. */
  readonly whenCreated: Promise<number>;
  readonly projectRef: { user?: string; project: string } | undefined;
  readonly isManaged: boolean;
  readonly lastStatus: string | undefined;
  readonly client: PolyaxonClient;
  logStatus(status: ExperimentStatus, message?: string, traceback?: string): void;
  logParams(params: Record<string, unknown>): void;
  logMetrics(values: Record<string, number | boolean | null | undefined>): void;
  /** @internal Counts a value sent changed (a non-finite metric as null), for `stats().adjusted`. */
  noteAdjusted(reason: AdjustedReason): void;
  succeeded(): void;
  failed(message?: string, traceback?: string): void;
  /** @internal The runtime the experiment was handed: where outputs are kept when not uploaded. */
  readonly environment: Pick<Environment, 'kind' | 'getEnv' | 'writeFiles'>;
  /** @internal The queue, for the user `GET users/` named (projects given without their owner). */
  readonly queue: { knownUser(): string | undefined } | undefined;
}
