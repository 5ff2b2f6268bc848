export { PolyaxonClient } from './client';
export { AuthApi, type Credentials } from './auth-api';
export {
  ProjectApi,
  type ProjectCreate,
  type ProjectPatch,
  type ExperimentCreate,
  type ListOptions,
  type ListExperimentsOptions,
} from './project-api';
export { ExperimentApi, type ExperimentPatch, type StatusCreate, type MetricPoint } from './experiment-api';
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
export { EXPERIMENT_STATUSES, PAGE_SIZE, type ExperimentStatus } from './validate';
