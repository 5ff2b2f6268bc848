/**
 * The one line a user reads when the server cannot take the records: where (`http://host:port`),
 * what it answered (status and its own message), and what to do about it. Each kind is shown once
 * per server (logger.warnOnce with `troubleKey`), never a stack trace per retry; the same line is
 * the message of the error in `stats().lastError` and `onError`.
 */

export type Trouble =
  /** 401: the token is wrong, expired or missing. */
  | { kind: 'unauthenticated'; status: 401; message: string }
  /** 403 on a request other than creating a project. */
  | { kind: 'forbidden'; status: 403; message: string; path: string }
  /** 404 on creating an experiment: the project does not exist. */
  | {
      kind: 'project_missing';
      project: string;
      message: string;
      /** Why it was not created: the option is off, the server refused (403), or it belongs to another user. */
      notCreated: { why: 'option_off' } | { why: 'refused'; status: number; message: string } | { why: 'other_owner'; tokenUser: string };
    }
  /** 404 on a request for an experiment that exists no more (deleted on the server). */
  | { kind: 'experiment_missing'; project: string; id: number; message: string }
  /** No connection: nothing listens, DNS, a firewall. */
  | { kind: 'unreachable'; message: string }
  /** A connection, and no answer within the request timeout. */
  | { kind: 'no_answer'; timeoutMs: number };

/** The local server's command, as a user of the package runs it. */
const SERVE_COMMAND = 'npx polyaxon-tracking serve';

/** `http://host:port` of a URL (an API base URL `http://host:port/api/v1`, a request URL); the URL itself when it does not parse. */
export function serverOrigin(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}

/** Warn-once key: one line per kind and server. An unreachable server and a silent one share it. */
export function troubleKey(origin: string, trouble: Trouble): string {
  const kind = trouble.kind === 'no_answer' ? 'unreachable' : trouble.kind;
  const about = trouble.kind === 'project_missing' || trouble.kind === 'experiment_missing' ? `:${trouble.project}` : '';
  return `trouble:${kind}:${origin}${about}`;
}

export function troubleLine(origin: string, trouble: Trouble): string {
  switch (trouble.kind) {
    case 'unauthenticated':
      return (
        `${origin} refused the token (401 ${trouble.message}): nothing is sent until the token changes (or resume()); records are kept. ` +
        'Set POLYAXON_SECRET_USER_TOKEN (or the client\'s `token` option): the local server keeps its token in the `token` file ' +
        `of its data folder and shows it in the link \`${SERVE_COMMAND}\` prints; a Polyaxon cluster gives one with \`polyaxon login\`.`
      );
    case 'forbidden':
      return (
        `${origin} refused access to ${trouble.path} (403 ${trouble.message}): nothing is sent until the token changes (or resume()); records are kept. ` +
        "The token's user may not write there: use a token of the project's owner, or a project of your own."
      );
    case 'project_missing':
      return `project ${trouble.project} does not exist on ${origin} (404 ${trouble.message}): records are kept and sent once it exists. ${projectFix(trouble)}`;
    case 'experiment_missing':
      return (
        `experiment ${trouble.id} of project ${trouble.project} does not exist on ${origin} (404 ${trouble.message}): ` +
        'its records are kept, not sent; it was probably deleted on the server.'
      );
    case 'unreachable':
      return (
        `cannot reach ${origin} (${trouble.message}): records are kept and sent when it is up. ` +
        `If no server runs there, start the local one with \`${SERVE_COMMAND}\`, or set POLYAXON_API_HOST and POLYAXON_HTTP_PORT to yours.`
      );
    case 'no_answer':
      return (
        `${origin} took the connection but did not answer within ${trouble.timeoutMs} ms: records are kept and retried. ` +
        `Is it a Polyaxon API? \`${SERVE_COMMAND}\` starts one; records left at exit go with \`npx polyaxon-tracking sync\`.`
      );
  }
}

function projectFix(trouble: Extract<Trouble, { kind: 'project_missing' }>): string {
  const name = trouble.project.split('/').pop() ?? trouble.project;
  const create = `create it (\`new PolyaxonClient().project.createProject({ name: '${name}' })\`, the dashboard, or \`polyaxon project create --name=${name}\`)`;
  switch (trouble.notCreated.why) {
    case 'option_off':
      return `To fix: ${create}, or pass \`createProject: true\` (the default) to the Experiment.`;
    case 'refused':
      return `Creating it was refused (${trouble.notCreated.status} ${trouble.notCreated.message}): ${create} with a token allowed to.`;
    case 'other_owner':
      return `It belongs to another user than the token's (${trouble.notCreated.tokenUser}), so it is not created for you: ask its owner to ${create}.`;
  }
}
