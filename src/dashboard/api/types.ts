/** The API answers the dashboard reads (Polyaxon 0.6 shapes plus the local server's series and events). */

export interface Page<T> {
  count: number;
  next: string | null;
  results: T[];
}

export interface ProjectBody {
  id: number;
  name: string;
  user: string;
  unique_name: string;
  num_experiments: number;
}

export interface ExperimentBody {
  id: number;
  name: string | null;
  description: string | null;
  user: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  last_status: string | null;
  last_metric: Record<string, number> | null;
  tags: string[] | null;
  framework: string | null;
  backend: string | null;
  params: Record<string, unknown> | null;
}

export interface ExperimentDetailBody extends ExperimentBody {
  run_env: Record<string, unknown> | null;
  data_refs: Record<string, unknown> | null;
  readme: string | null;
  /** The reference's id, as Polyaxon 0.6.1 answers it; its fields are at `coderef/`. */
  code_reference: number | null;
}

export interface CodeReferenceBody {
  commit: string | null;
  head: string | null;
  branch: string | null;
  git_url: string | null;
  is_dirty: boolean | null;
}

export interface StatusBody {
  id: number;
  created_at: string;
  status: string;
  message: string | null;
  traceback: string | null;
}

export interface OutputFileBody {
  path: string;
  size: number;
  modified_at: string;
}

export type XAxis = 'step' | 'time' | 'relative';

export interface SeriesBody {
  name: string;
  total: number;
  downsampled?: boolean;
  x: number[];
  y: Array<number | null>;
}

export interface SeriesResponse {
  experiment: number;
  x: XAxis;
  series: SeriesBody[];
}

export type LiveMessage =
  | { event: 'experiment'; data: { id: number; change: 'created' | 'updated' | 'deleted' } }
  | { event: 'status'; data: { experiment: number; status: string; created_at: string } }
  | { event: 'metrics'; data: { experiment: number; count: number; last_metric: Record<string, number> | null } }
  | { event: 'logs'; data: { experiment: number; count: number } };
