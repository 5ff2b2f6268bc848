import type { Experiment, PolyaxonClient } from '../../src/public-api';

/** Types of serve-process.mjs, for the TypeScript tests that use it. */
export interface ServeProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The dashboard link `serve` prints on a terminal (`/#token=...`; the bare URL with `--no-auth`). */
  link: string;
  token: string;
  port: number;
  client: PolyaxonClient;
  root: string;
  output(): string;
  project(name: string): Promise<void>;
  experiment(
    project: string,
    options?: { name?: string; tags?: string[]; description?: string; outbox?: { flushIntervalMs?: number; maxBatchCount?: number; maxBatchBytes?: number } },
  ): Promise<Experiment>;
  close(): Promise<void>;
}

export function startServeProcess(options?: { noAuth?: boolean; extraArgs?: string[] }): Promise<ServeProcess>;
