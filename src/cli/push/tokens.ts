/**
 * Where `push` finds its two tokens, read with the reader `serve` and `sync` use
 * (../token-source.ts). A token is kept in memory, put into the Authorization header at send
 * time, and never printed nor written anywhere (the push record holds none).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTokenSource, TOKEN_VARIABLE } from '../token-source';
import type { PushOptions } from './options';

export { TOKEN_VARIABLE };
/** The source's token when no option names one. */
export const FROM_TOKEN_VARIABLE = 'POLYAXON_FROM_TOKEN';
/** Where `serve` keeps its token by default (its `--data` default is `./.polyaxon-data`). */
export const SERVE_TOKEN_FILE = join('.polyaxon-data', 'token');

/** Where each kind of token comes from, for the message that follows a refusal. */
export const TOKEN_ORIGINS =
  'a Polyaxon 0.6 token: `polyaxon login` keeps it in ~/.polyaxon/.polyaxonauth; a local server prints its token at start and keeps it in its data folder as `token`';

type Token = { kind: 'ok'; token?: string } | { kind: 'error'; message: string };

/** The target's token: `--token`, `--token-file`, else POLYAXON_TOKEN; none is fine (the target says). */
export async function targetToken(options: PushOptions, getEnv: (name: string) => string | undefined, warn: (line: string) => void): Promise<Token> {
  const read = await readTokenSource({ token: options.token, tokenFile: options.tokenFile }, getEnv, warn);
  if (read.kind === 'error') return read;
  return { kind: 'ok', token: read.kind === 'given' ? read.token : undefined };
}

/** The source's token: `--from-token-file`, else POLYAXON_FROM_TOKEN, else the token `serve` saved in ./.polyaxon-data. */
export async function sourceToken(options: PushOptions, getEnv: (name: string) => string | undefined, warn: (line: string) => void): Promise<Token> {
  if (options.fromTokenFile !== undefined) return fileToken(options.fromTokenFile, '--from-token-file', warn);
  const fromEnv = getEnv(FROM_TOKEN_VARIABLE)?.trim();
  if (fromEnv) return { kind: 'ok', token: fromEnv };
  if (existsSync(SERVE_TOKEN_FILE)) return fileToken(SERVE_TOKEN_FILE, 'the token `serve` saved in', warn);
  return { kind: 'ok' };
}

async function fileToken(path: string, label: string, warn: (line: string) => void): Promise<Token> {
  const read = await readTokenSource({ tokenFile: path }, () => undefined, warn);
  if (read.kind === 'error') return { kind: 'error', message: read.message.replace(/^--token-file/, label) };
  return { kind: 'ok', token: read.kind === 'given' ? read.token : undefined };
}
