/** The client's request and response types a user of `PolyaxonClient` writes down; api/index.ts publishes them. */
export type { Credentials } from './auth-api';
export type { ProjectCreate, ProjectPatch, ExperimentCreate, ListOptions, ListExperimentsOptions } from './project-api';
export type { ExperimentPatch, StatusCreate, MetricPoint } from './experiment-api';
export type { OutputFile, OutputWritten } from './outputs-api';
export type {
  UserResponse,
  TokenResponse,
  ProjectResponse,
  ExperimentResponse,
  StatusResponse,
  CodeReferenceResponse,
  MetricResponse,
  Paginated,
} from '../wire/schemas';
