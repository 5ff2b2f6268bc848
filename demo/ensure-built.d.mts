export declare const REPO_ROOT: string;

export type DistFreshness = { kind: 'fresh' } | { kind: 'missing'; output: string } | { kind: 'stale'; input: string; output: string };

export declare function distFreshness(root?: string): DistFreshness;
export declare function describeFreshness(freshness: DistFreshness): string;
export declare function ensureBuilt(options?: { root?: string; log?: (line: string) => void }): boolean;
export declare function promisedDistFiles(root?: string): string[];
