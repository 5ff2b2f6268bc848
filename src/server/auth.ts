import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { HttpError } from './http';
import type { UserAccount } from './model';

export const TOKEN_FILE = 'token';

/** Scheme words Polyaxon's server accepts in `Authorization: <scheme> <token>`. */
const SCHEMES = new Set(['token', 'ephemeraltoken', 'internaltoken']);

export type TokenSource = 'option' | 'file' | 'generated';

/**
 * The main user's token: the given one, else the one saved in the data folder, else a new one
 * saved there with mode 0600 so that only its owner can read it.
 */
export async function resolveToken(dataDir: string, given: string | undefined): Promise<{ token: string; source: TokenSource }> {
  if (given) return { token: given, source: 'option' };
  const path = join(dataDir, TOKEN_FILE);
  const saved = await readFile(path, 'utf8').then((text) => text.trim(), () => '');
  if (saved) {
    // A copy restored from a backup may have lost its mode; the token must stay private.
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) await chmod(path, 0o600).catch(() => undefined);
    return { token: saved, source: 'file' };
  }
  const token = randomBytes(20).toString('hex');
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'w' });
  return { token, source: 'generated' };
}

export class Accounts {
  private readonly byName = new Map<string, UserAccount>();

  constructor(
    readonly main: UserAccount,
    extra: Record<string, string>,
    /** `--no-auth`: every request acts as the main user. */
    private readonly noAuth: boolean,
  ) {
    this.byName.set(main.username, main);
    for (const [username, token] of Object.entries(extra)) {
      if (username === main.username) continue;
      this.byName.set(username, { username, email: `${username}@localhost`, isSuperuser: false, token });
    }
  }

  get(username: string): UserAccount | undefined {
    return this.byName.get(username);
  }

  /** The caller, or a 401 with DRF's wording. */
  authenticate(req: IncomingMessage): UserAccount {
    if (this.noAuth) return this.main;
    const header = req.headers.authorization;
    if (!header) throw unauthenticated('Authentication credentials were not provided.');
    const [scheme, token, ...rest] = header.trim().split(/\s+/);
    if (!SCHEMES.has(scheme.toLowerCase()) || !token || rest.length > 0) {
      throw unauthenticated('Invalid token header.');
    }
    const user = this.withToken(token);
    if (!user) throw unauthenticated('Invalid token.');
    return user;
  }

  /** Login (`POST users/token/`): the local server takes the user's token as the password. */
  login(username: string, password: string): UserAccount | undefined {
    const user = this.byName.get(username);
    if (!user) return undefined;
    if (this.noAuth && user === this.main) return user;
    return sameSecret(user.token, password) ? user : undefined;
  }

  private withToken(token: string): UserAccount | undefined {
    for (const user of this.byName.values()) {
      if (sameSecret(user.token, token)) return user;
    }
    return undefined;
  }
}

function unauthenticated(detail: string): HttpError {
  return new HttpError(401, { detail }, { 'WWW-Authenticate': 'Token' });
}

/** Constant-time comparison of hashes, so a wrong token's timing says nothing about the right one. */
function sameSecret(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
