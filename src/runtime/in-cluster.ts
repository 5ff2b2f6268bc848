/**
 * In-cluster context: what a Polyaxon-managed job learns from its environment
 * (polyaxon-v0-api.md, "Outside vs inside the cluster", context getters table). Every getter
 * throws NotManagedError outside the cluster, as the Python client's `ensure_in_cluster` does;
 * inside, a missing or empty variable, invalid JSON, or JSON of the wrong shape gives null.
 * Variables are read through the environment handed in, never `process.env` directly.
 */
import type { Environment } from './environment';
import { ValidationError } from './errors';
import { logger } from './logger';
import { isManaged } from './settings';

/** What the getters read (and `getTfConfig` writes) of the runtime. */
export type InClusterEnvironment = Pick<Environment, 'getEnv' | 'readTextFile' | 'setEnv'>;

/** Where the platform mounts the run's token; it wins over POLYAXON_SECRET_USER_TOKEN. */
export const CONTEXT_AUTH_TOKEN_PATH = '/plx-context/.authtoken';

/** Task type (`master`, `worker`, `ps`) → `host:port` addresses. */
export type ClusterDef = Record<string, string[]>;

export interface ExperimentInfo {
  project_name?: string;
  experiment_group_name?: string | null;
  experiment_name?: string;
  project_uuid?: string;
  experiment_group_uuid?: string | null;
  experiment_uuid?: string;
  [key: string]: unknown;
}

export interface TaskInfo {
  type?: string;
  index?: number;
  [key: string]: unknown;
}

/** TF_CONFIG as TensorFlow's distributed strategies read it, keys in Polyaxon's order. */
export interface TfConfig {
  cluster: ClusterDef | null;
  task: TaskInfo | null;
  model_dir: string | null;
  environment: 'cloud';
}

export class NotManagedError extends Error {
  override readonly name = 'NotManagedError';
  constructor(getter: string) {
    super(
      `${getter}: this run is not managed by Polyaxon (POLYAXON_IS_MANAGED is not set); ` +
        'in-cluster getters only work inside a Polyaxon job',
    );
  }
}

function ensureManaged(environment: InClusterEnvironment, getter: string): void {
  if (!isManaged(environment.getEnv)) throw new NotManagedError(getter);
}

/** A variable's text; empty counts as missing, as in Python's `if value:`. */
function readVariable(environment: InClusterEnvironment, name: string): string | null {
  return environment.getEnv(name) || null;
}

/** A variable holding a JSON object; null when missing, not JSON, or not an object. */
function readJsonObject<T>(environment: InClusterEnvironment, name: string): T | null {
  const text = readVariable(environment, name);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as T;
    logger.debug(`${name} is not a JSON object; ignored`);
  } catch {
    logger.debug(`${name} is not valid JSON; ignored`);
  }
  return null;
}

/** `POLYAXON_CLUSTER`: the distributed job's cluster definition. */
export function getClusterDef(environment: InClusterEnvironment): ClusterDef | null {
  ensureManaged(environment, 'getClusterDef');
  return readJsonObject<ClusterDef>(environment, 'POLYAXON_CLUSTER');
}

/**
 * `POLYAXON_PARAMS` (Polyaxon 0.4: `POLYAXON_DECLARATIONS`): the declared params, with matrix
 * values of a group already merged in by the server.
 */
export function getDeclarations(environment: InClusterEnvironment): Record<string, unknown> | null {
  ensureManaged(environment, 'getDeclarations');
  return readDeclarations(environment);
}

/** Same as getDeclarations (the Python client's `get_params`). */
export function getParams(environment: InClusterEnvironment): Record<string, unknown> | null {
  ensureManaged(environment, 'getParams');
  return readDeclarations(environment);
}

function readDeclarations(environment: InClusterEnvironment): Record<string, unknown> | null {
  const name = readVariable(environment, 'POLYAXON_PARAMS') !== null ? 'POLYAXON_PARAMS' : 'POLYAXON_DECLARATIONS';
  return readJsonObject<Record<string, unknown>>(environment, name);
}

/** `POLYAXON_EXPERIMENT_INFO`: project and experiment names and uuids. */
export function getExperimentInfo(environment: InClusterEnvironment): ExperimentInfo | null {
  ensureManaged(environment, 'getExperimentInfo');
  return readJsonObject<ExperimentInfo>(environment, 'POLYAXON_EXPERIMENT_INFO');
}

/** `POLYAXON_TASK_INFO`: this replica's `{type, index}`. */
export function getTaskInfo(environment: InClusterEnvironment): TaskInfo | null {
  ensureManaged(environment, 'getTaskInfo');
  return readJsonObject<TaskInfo>(environment, 'POLYAXON_TASK_INFO');
}

/** `POLYAXON_RUN_OUTPUTS_PATH`: where the run writes its outputs. */
export function getOutputsPath(environment: InClusterEnvironment): string | null {
  ensureManaged(environment, 'getOutputsPath');
  return readVariable(environment, 'POLYAXON_RUN_OUTPUTS_PATH');
}

/** `POLYAXON_RUN_DATA_PATHS`: data store name → mounted path. */
export function getDataPaths(environment: InClusterEnvironment): Record<string, string> | null {
  ensureManaged(environment, 'getDataPaths');
  return readJsonObject<Record<string, string>>(environment, 'POLYAXON_RUN_DATA_PATHS');
}

/** `POLYAXON_LOG_LEVEL`. */
export function getLogLevel(environment: InClusterEnvironment): string | null {
  ensureManaged(environment, 'getLogLevel');
  return readVariable(environment, 'POLYAXON_LOG_LEVEL');
}

export interface TfConfigOptions {
  /**
   * Variable to also write the config to, as JSON, where the runtime can set variables (Node).
   * Falsy: write nothing. Default: `'TF_CONFIG'`.
   */
  envvar?: string | null | false;
}

/** TF_CONFIG built from the cluster def, task info and outputs path, as the Python client does. */
export function getTfConfig(environment: InClusterEnvironment, { envvar = 'TF_CONFIG' }: TfConfigOptions = {}): TfConfig {
  ensureManaged(environment, 'getTfConfig');
  const config: TfConfig = {
    cluster: getClusterDef(environment),
    task: getTaskInfo(environment),
    model_dir: getOutputsPath(environment),
    environment: 'cloud',
  };
  if (envvar) {
    const setEnv = environment.setEnv;
    if (setEnv) setEnv(envvar, JSON.stringify(config));
    else logger.debug(`this runtime cannot set ${envvar}; TF config returned only`);
  }
  return config;
}

/**
 * The API token of a managed run: the `POLYAXON_SECRET_USER_TOKEN` entry of the context file
 * CONTEXT_AUTH_TOKEN_PATH (in-cluster only) over the `POLYAXON_SECRET_USER_TOKEN` variable.
 * Undefined when neither is there. Never logs the token.
 */
export function readInClusterToken(environment: InClusterEnvironment): string | undefined {
  if (isManaged(environment.getEnv) && environment.readTextFile) {
    let text: string | undefined;
    try {
      text = environment.readTextFile(CONTEXT_AUTH_TOKEN_PATH);
    } catch {
      text = undefined;
    }
    if (text) {
      try {
        const token: unknown = (JSON.parse(text) as Record<string, unknown> | null)?.POLYAXON_SECRET_USER_TOKEN;
        if (typeof token === 'string' && token) return token;
      } catch {
        logger.debug(`${CONTEXT_AUTH_TOKEN_PATH} is not valid JSON; using POLYAXON_SECRET_USER_TOKEN`);
      }
    }
  }
  return environment.getEnv('POLYAXON_SECRET_USER_TOKEN') || undefined;
}

export interface ExperimentName {
  user: string;
  project: string;
  /** Id of the experiment group, for an experiment that belongs to one. */
  group?: number;
  id: number;
}

const EXPERIMENT_NAME = /^([^.]+)\.([^.]+)(?:\.(\d+))?\.(\d+)$/;

/** Splits a unique name `user.project[.group].id` (the id is the last part). */
export function parseExperimentName(name: unknown, field = 'experiment_name'): ExperimentName {
  const match = typeof name === 'string' ? EXPERIMENT_NAME.exec(name) : null;
  if (!match) throw new ValidationError(field, 'must be "user.project.id" or "user.project.group.id"');
  const [, user, project, group, id] = match;
  return group === undefined ? { user, project, id: Number(id) } : { user, project, group: Number(group), id: Number(id) };
}
