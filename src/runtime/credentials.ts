import type { ClientSettings } from './settings';

/**
 * Credentials are the settings a server checks: its base URL, the scheme word and the token, and
 * the extra headers (an in-cluster service header). The rules every request, queue and pause
 * follows live here, once.
 */
export type CredentialSettings = Pick<ClientSettings, 'baseUrl' | 'authenticationType' | 'token' | 'headers'>;

/** The Authorization header's value, `{scheme word} {token}`; undefined without a token (no header at all). */
export function authorization(settings: Pick<ClientSettings, 'authenticationType' | 'token'>): string | undefined {
  return settings.token ? `${settings.authenticationType} ${settings.token}` : undefined;
}

/**
 * The headers of a request: the user's own (`settings.headers`), then ours. Header names fold
 * case: a user's `authorization` must not travel beside ours, so ours win and theirs of the same
 * name are left out.
 */
export function requestHeaders(userHeaders: Record<string, string>, ours: Record<string, string>): Record<string, string> {
  const taken = new Set(Object.keys(ours).map((name) => name.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(userHeaders)) if (!taken.has(name.toLowerCase())) headers[name] = value;
  return Object.assign(headers, ours);
}

/**
 * Who is asking, as a key: server, scheme word and token. Requests under one key are one user's
 * (the answer of `GET users/` holds for all of them), and one queue serves them in a process.
 */
export function credentialsKey(settings: Pick<ClientSettings, 'baseUrl' | 'authenticationType' | 'token'>): string {
  return `${settings.baseUrl}\n${settings.authenticationType} ${settings.token ?? ''}`;
}

/** The credentials of `settings`, to compare later with `sameCredentials`. */
export function credentialsOf(settings: CredentialSettings): CredentialSettings {
  const { baseUrl, authenticationType, token, headers } = settings;
  return { baseUrl, authenticationType, token, headers };
}

/**
 * Whether `settings` still carry `earlier` credentials (a new token, scheme, server or headers
 * object ends a pause for refused credentials). By identity, not by value: it is checked on every
 * append while paused.
 */
export function sameCredentials(settings: CredentialSettings, earlier: CredentialSettings): boolean {
  return (
    settings.token === earlier.token &&
    settings.authenticationType === earlier.authenticationType &&
    settings.baseUrl === earlier.baseUrl &&
    settings.headers === earlier.headers
  );
}
