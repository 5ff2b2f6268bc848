import type { Environment } from './environment';
import { MemoryStore } from '../outbox/memory-store';

/**
 * The environment chosen by the build: each entry point (index.node.ts, index.browser.ts) installs
 * its adapter at import. Core code asks here and never sniffs for `window` or `process`.
 */
const bareEnvironment: Environment = {
  kind: 'memory',
  getEnv: () => undefined,
  openStore: async () => new MemoryStore(),
  runEnv: async () => ({}),
  codeRef: async () => null,
  onLifecycle: () => () => {},
  captureConsole: () => () => {},
  unrefTimer: () => {},
};

let current: Environment = bareEnvironment;

export function setEnvironment(environment: Environment): void {
  current = environment;
}

export function getEnvironment(): Environment {
  return current;
}
