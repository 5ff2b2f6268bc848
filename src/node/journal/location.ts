/**
 * Where journals live: `<root>/<queue folder>/`, one folder per target server so a queue never
 * mixes servers. The root is `~/.polyaxon/outbox` (beside the Polyaxon CLI's own `~/.polyaxon`),
 * replaced by the `directory` option or else by `POLYAXON_OUTBOX_DIR`.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EnvLookup } from '../../runtime/settings';

export const OUTBOX_DIR_VARIABLE = 'POLYAXON_OUTBOX_DIR';

export function outboxRoot(directory?: string, getEnv: EnvLookup = (name) => process.env[name]): string {
  return directory ?? getEnv(OUTBOX_DIR_VARIABLE) ?? join(homedir(), '.polyaxon', 'outbox');
}

/**
 * A folder name for a queue name (usually a server URL): readable, safe on every file system,
 * and suffixed with a hash of the exact name so two names that read alike never share a folder.
 */
export function queueFolderName(name: string): string {
  const readable = name
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, 64);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${readable || 'queue'}-${hash}`;
}

export function queueDirectory(root: string, name: string): string {
  return join(root, queueFolderName(name));
}
