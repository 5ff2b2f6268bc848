import type { Environment } from './environment';

/**
 * Before an entry point installs its runtime (only when src/ is imported without one): nothing
 * is read, nothing is kept; a store cannot be opened, so the outbox keeps its records in memory.
 */
const bareEnvironment: Environment = {
  kind: 'memory',
  getEnv: () => undefined,
  openStore: () => Promise.reject(new Error('no runtime installed: import the library through its entry point')),
  runEnv: async () => ({}),
  codeRef: async () => null,
  onLifecycle: () => () => {},
  captureConsole: () => () => {},
  unrefTimer: () => {},
};

let installed: Environment = bareEnvironment;

/**
 * The entry points (index.node.ts, index.browser.ts) build one environment and install it here
 * at import; the build, not runtime sniffing, picks which.
 */
export function installEnvironment(environment: Environment): void {
  installed = environment;
}

/**
 * The installed environment, for the public API's edge only: `new Experiment()`,
 * `new PolyaxonClient()` and the functions a user calls without an experiment have no other way to
 * get one. From there it is handed down (constructor and function arguments); nothing below the
 * edge looks it up.
 */
export function installedEnvironment(): Environment {
  return installed;
}
