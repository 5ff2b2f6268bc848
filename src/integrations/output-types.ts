/**
 * What an output is, where it goes on the server, and what keeps it when it cannot be uploaded:
 * the shapes every outputs module shares, apart so that none imports another for its types.
 */

/** The server experiment that outputs belong to. */
export interface OutputTarget {
  user: string;
  project: string;
  id: number;
}

/** One file of an output (a saved model is two: its `.weights.bin` and its `.json`). */
export interface OutputFileBody {
  /** Relative to the experiment's outputs, segments joined by `/`. */
  path: string;
  contentType: string;
  bytes: Uint8Array;
}

/** What a local outputs store is handed: the files of one output named `name` of the run `run`. */
export interface StoredOutput {
  run: string;
  name: string;
  /** Known when the experiment had a server id at the time. */
  target?: OutputTarget;
  files: OutputFileBody[];
}

/**
 * Where outputs go when they cannot be uploaded (or, in the cluster, where they always go):
 * a folder in Node, IndexedDB in browsers, or your own (pass it as `outputsStore`).
 */
export interface OutputsStore {
  /** Names the store in outcomes, e.g. `folder` or `indexeddb`. */
  readonly kind: string;
  /** Keeps the output; resolves with where it went (a file path, a key). */
  put(output: StoredOutput): Promise<string>;
}
