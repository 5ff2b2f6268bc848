/**
 * Secret redaction for anything the library describes about its surroundings (run env, argv, git
 * remotes). Pure, so the Node and browser adapters share it. The security rules in
 * reliability.md name the patterns: `*TOKEN*`, `*SECRET*`, `*KEY*`, `*PASSWORD*`, and credentials
 * in URLs. Redacting a harmless value is acceptable; leaking a secret is not.
 */
export const REDACTED = '[redacted]';

/** Names that hold secrets, any case, anywhere in the name (`apiKey`, `GITHUB_TOKEN`, `db-password`). */
const SECRET_NAME = /token|secret|key|password|passwd|credential/i;

/** `scheme://userinfo@` anywhere in a text; the userinfo may hold a password or a token. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]+)@/gi;

/** `NAME=value` or `NAME: value` where NAME looks secret. */
const SECRET_ASSIGNMENT = /^([^=:\s]*(?:token|secret|key|password|passwd|credential)[^=:\s]*)(\s*[=:]\s*)(.+)$/i;

/** An Authorization-style value: a scheme word followed by the credential. */
const AUTH_VALUE = /^(bearer|token|basic|apikey)\s+\S+/i;

/** `?api_key=x` / `&token=x` inside a URL's query. */
const SECRET_QUERY_PARAM = /([?&][^=&#\s]*(?:token|secret|key|password|passwd|credential)[^=&#\s]*=)[^&#\s]*/gi;

/**
 * Well-known token shapes that give themselves away without a name: GitHub (`ghp_…`,
 * `github_pat_…`), Slack (`xoxb-…`), AWS access key ids, and JWTs.
 */
const KNOWN_TOKEN =
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+)/g;

/** A flag that carries its value in the next argument, e.g. `--password hunter2`. */
const FLAG = /^--?[a-z]/i;
/** Short flags that carry a secret in the next argument: `-t TOKEN` (the CLIs' token flag). */
const SECRET_SHORT_FLAGS: ReadonlySet<string> = new Set(['-t']);
/** A known secret shorter than this is only redacted where a whole value equals it, never inside text. */
const MIN_SECRET_INSIDE_TEXT = 6;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Strips credentials from every URL in `text`: `https://user:pass@host/x` → `https://host/x`.
 * SSH remotes keep their user name (`ssh://git@host/x` names an account, not a credential) and
 * lose only a password; scp-like remotes (`git@host:org/repo`) have no scheme and stay as they are.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    if (/^(ssh|git\+ssh|ssh\+git):\/\/$/i.test(scheme)) {
      const user = userinfo.split(':')[0];
      return `${scheme}${user}@`;
    }
    return scheme;
  });
}

/**
 * Redacts one string value: URL credentials and secret query parameters, well-known token shapes,
 * `NAME=secret` assignments and auth header values.
 */
export function redactText(text: string): string {
  const cleaned = redactUrlCredentials(text)
    .replace(SECRET_QUERY_PARAM, `$1${REDACTED}`)
    .replace(KNOWN_TOKEN, REDACTED);
  if (AUTH_VALUE.test(cleaned)) return REDACTED;
  const assignment = SECRET_ASSIGNMENT.exec(cleaned);
  if (assignment) return `${assignment[1]}${assignment[2]}${REDACTED}`;
  return cleaned;
}

/**
 * Deep copy of `value` with secrets replaced by `[redacted]`: the value of every key that looks
 * secret, and secret-looking text inside strings. Cycles become `[circular]`; functions and
 * symbols are left out, as JSON would.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'function' || typeof item === 'symbol') continue;
      copy[key] = isSecretName(key) ? REDACTED : redactValue(item, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

/**
 * Command-line arguments with secrets redacted: `--token=x` → `--token=[redacted]`;
 * `--password x`, `--api-key x`, `-t x` → the flag and `[redacted]` (the next argument, unless it
 * is itself a long flag); `API_KEY=x` and URL credentials as in {@link redactText}; and any
 * argument holding one of `knownSecrets` (the client's token given as a positional argument).
 */
export function redactArgv(argv: readonly string[], knownSecrets: ReadonlyArray<string | undefined> = []): string[] {
  const result: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = String(argv[index]);
    result.push(redactKnownText(redactText(argument), knownSecrets));
    const next = argv[index + 1];
    const takesSecret = SECRET_SHORT_FLAGS.has(argument) || (FLAG.test(argument) && !argument.includes('=') && isSecretName(argument));
    if (takesSecret && next !== undefined) {
      // A value that merely starts with `-` could be a password; only a long flag is taken as one.
      if (!String(next).startsWith('--')) {
        result.push(REDACTED);
        index += 1;
      }
    }
  }
  return result;
}

/**
 * `text` with every known secret (the client's token, a secret variable's value) replaced by
 * `[redacted]`: wherever it appears when it is long enough to be told apart, else only when it is
 * the whole text. Empty and undefined secrets are ignored.
 */
export function redactKnownText(text: string, knownSecrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (!secret) continue;
    if (result === secret) return REDACTED;
    if (secret.length >= MIN_SECRET_INSIDE_TEXT && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** Deep copy of `value` with every string passed through {@link redactKnownText}. */
export function redactKnownSecrets<T>(value: T, knownSecrets: ReadonlyArray<string | undefined>): T {
  if (!knownSecrets.some((secret) => secret)) return value;
  const visit = (item: unknown): unknown => {
    if (typeof item === 'string') return redactKnownText(item, knownSecrets);
    if (Array.isArray(item)) return item.map(visit);
    if (item === null || typeof item !== 'object') return item;
    return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, visit(inner)]));
  };
  return visit(value) as T;
}
