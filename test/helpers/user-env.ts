/**
 * The test process's environment minus every POLYAXON_* variable and NODE_OPTIONS (vitest's
 * loaders), plus `extra`: what a user's shell gives a child process, with only the settings the
 * test means to give.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('POLYAXON_') && name !== 'NODE_OPTIONS') env[name] = value;
  return { ...env, ...extra };
}
