/**
 * Where `push` finds its tokens. A token is read into memory, put into the Authorization header
 * at send time, and never printed nor written anywhere (the push record holds none).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PushOptions } from './options';

/** The target's token when no option names one. */
export const TOKEN_VARIABLE = 'POLYAXON_TOKEN';
/** The source's token when no option names one. */
export const FROM_TOKEN_VARIABLE = 'POLYAXON_FROM_TOKEN';
/** Where `serve` keeps its token by default (its `--data` default is `./.polyaxon-data`). */
export const SERVE_TOKEN_FILE = join('.polyaxon-data', 'token');

/** Where each kind of token comes from, for the message that follows a refusal. */
export const TOKEN_ORIGINS =
  'a Polyaxon 0.6 token: `polyaxon login` keeps it in ~/.polyaxon/.polyaxonauth; a local server prints its token at start and keeps it in its data folder as `token`';

/**
 * A token file's token: its text, trimmed; or, for a JSON file, its `token` (the Polyaxon CLI's
 * ~/.polyaxon/.polyaxonauth) or `POLYAXON_SECRET_USER_TOKEN` (an in-cluster /plx-context/.authtoken).
 */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`cannot read the token file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const token = parsed.token ?? parsed.POLYAXON_SECRET_USER_TOKEN;
      if (typeof token === 'string' && token.trim()) return token.trim();
    } catch {
      // Not JSON after all: the text is the token.
    }
  }
  if (!text || /\s/.test(text)) throw new Error(`the token file ${path} holds no token (one line of text, or JSON with "token")`);
  return text;
}

/** `--token-file`, else `--token`, else POLYAXON_TOKEN; undefined when none is given. */
export function targetToken(options: PushOptions, getEnv: (name: string) => string | undefined): string | undefined {
  if (options.tokenSource.kind === 'file') return readTokenFile(options.tokenSource.path);
  if (options.tokenSource.kind === 'option') return options.token;
  return getEnv(TOKEN_VARIABLE) || undefined;
}

/** `--from-token-file`, else POLYAXON_FROM_TOKEN, else the token `serve` saved in ./.polyaxon-data. */
export function sourceToken(options: PushOptions, getEnv: (name: string) => string | undefined): string | undefined {
  if (options.fromTokenFile !== undefined) return readTokenFile(options.fromTokenFile);
  const fromEnv = getEnv(FROM_TOKEN_VARIABLE);
  if (fromEnv) return fromEnv;
  try {
    return readTokenFile(SERVE_TOKEN_FILE);
  } catch {
    return undefined;
  }
}
