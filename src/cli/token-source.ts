/**
 * Where `serve` and `sync` take the API token from. A value on the command line is visible to
 * every user of the machine (`ps`, /proc/PID/cmdline), so a file or the environment is offered
 * too (F40); the token is read, never echoed.
 */
import { readFile, stat } from 'node:fs/promises';

/** The variable both commands read (`sync` then falls back to POLYAXON_SECRET_USER_TOKEN). */
export const TOKEN_VARIABLE = 'POLYAXON_TOKEN';

/** Help lines shared by the commands that take a token, option names padded to `width`. */
export function tokenHelp(width: number): string {
  const line = (option: string, text: string) => `  ${option.padEnd(width)} ${text}`;
  const more = (text: string) => `  ${''.padEnd(width)} ${text}`;
  return [
    line('--token-file F', 'read the token from file F (its first line); better than --token'),
    line('--token T', 'the token itself. Visible to every user of this machine (ps, /proc):'),
    more(`prefer --token-file or the ${TOKEN_VARIABLE} variable`),
  ].join('\n');
}

export type TokenSource =
  | { kind: 'given'; token: string; from: '--token' | '--token-file' | typeof TOKEN_VARIABLE }
  | { kind: 'none' }
  | { kind: 'error'; message: string };

/**
 * `--token`, else `--token-file`, else `POLYAXON_TOKEN`; both options at once is an error, as is an
 * empty or unreadable file. A file that others may read gets a warning on stderr. A file whose
 * first line is a JSON object gives its `token`: the Polyaxon CLI's ~/.polyaxon/.polyaxonauth
 * (`{"username": ..., "token": ...}`) works as it is.
 */
export async function readTokenSource(
  options: { token?: string; tokenFile?: string },
  env: (name: string) => string | undefined,
  warn: (line: string) => void,
): Promise<TokenSource> {
  if (options.token !== undefined && options.tokenFile !== undefined) {
    return { kind: 'error', message: '--token and --token-file exclude each other' };
  }
  if (options.token !== undefined) {
    if (options.token.trim() === '') return { kind: 'error', message: '--token must not be empty' };
    return { kind: 'given', token: options.token.trim(), from: '--token' };
  }
  if (options.tokenFile !== undefined) {
    const path = options.tokenFile;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      return { kind: 'error', message: `--token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
    const token = tokenOfLine(text.split(/\r?\n/)[0].trim());
    if (token === '') return { kind: 'error', message: `--token-file ${path}: the first line is empty` };
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) warn(`warning: ${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 ${path}`);
    return { kind: 'given', token, from: '--token-file' };
  }
  const fromEnv = env(TOKEN_VARIABLE)?.trim();
  if (fromEnv) return { kind: 'given', token: fromEnv, from: TOKEN_VARIABLE };
  return { kind: 'none' };
}

/** The line itself, or the `token` of a JSON object on it. */
function tokenOfLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const token = (JSON.parse(line) as { token?: unknown }).token;
    return typeof token === 'string' ? token.trim() : '';
  } catch {
    return line;
  }
}
