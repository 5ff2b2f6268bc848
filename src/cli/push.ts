import type { CliCommand } from './command';
import { setLogLevel } from '../runtime/logger';
import { nodeEnvironment } from '../node/environment';
import { runParsed } from './command-args';
import { DEFAULT_BATCH_SIZE, DEFAULT_FROM, DEFAULT_RETRY_FOR_SECONDS, parsePushArgs } from './push/options';
import { runPush } from './push/run';
import { FROM_TOKEN_VARIABLE } from './push/tokens';
import { tokenHelp, TOKEN_VARIABLE } from './token-source';

const USAGE = `Usage: polyaxon-tracking push --to URL [options]

Copies runs from a local server (or any Polyaxon 0.6 server) to a Polyaxon 0.6 server or another
local server: the project (created when missing), each experiment with its name, description,
tags, params, data refs, run env, framework, backend and code reference, every metric point in
order with its time, the logs, and the statuses in order (with message and traceback) ending
with the run's final status. The source is read through its REST API.

Safe to run again: what went is recorded, and the next push sends only what is new (points or
statuses logged since, a field that changed). A push that was stopped (Ctrl-C, a kill, a crash,
a lost network) resumes where it stopped when run again. A run still running is copied as it
stands (a Polyaxon server fails a copied \`running\` run after 30 minutes without heartbeat; the
run's final status still comes with the push after it ends).

Target:
  --to URL             the server to copy to, http(s)://host:port (required)
  Its token, never stored: from --token-file or --token, else the ${TOKEN_VARIABLE} variable (the
  Polyaxon CLI's ~/.polyaxon/.polyaxonauth works as a token file):
${tokenHelp(20)}
  --to-project P       copy into project P, \`name\` or \`user/name\` (default: the source project's
                       name, owned by the token's user); one source project at a time
Source:
  --from URL           the server to copy from (default ${DEFAULT_FROM}, where \`serve\` listens)
  --from-token-file F  the source's token (default: ${FROM_TOKEN_VARIABLE}, else the token \`serve\`
                       saved in ./.polyaxon-data/token)
  --data DIR           instead of --from: the data folder of a local server that is not running;
                       push serves it to itself on a private loopback port while it reads (as user
                       \`local\`, or the user of --project user/name)
  --project P          only project P, \`name\` or \`user/name\` (default: every project of the
                       source token's user)
  --experiments IDS    only these source experiment ids, e.g. 1,2,3 (default: all)
Other:
  --state FILE         the record of what was pushed (default: ~/.polyaxon/push/<target>.json,
                       one per target server, mode 0600; it never holds a token)
  --batch N            metric points (or log lines) per request (default ${DEFAULT_BATCH_SIZE})
  --retry-for SECONDS  keep trying a request the target refuses with 429 or 5xx, or that gets no
                       answer, this long, honouring Retry-After (default ${DEFAULT_RETRY_FOR_SECONDS})
  -h, --help           show this text

Prints a progress bar on a terminal, otherwise one summary line:
  push to URL: N of N experiments (N new, N updated, N unchanged), N metric points, N log lines,
  N statuses, N changed fields in S s; record: FILE

What arrives once: every write carries an Idempotency-Key. A local server answers a repeat from
memory, so against it a resumed push stores everything exactly once. A Polyaxon 0.6 server
ignores the key: the experiment's create and the statuses are checked against what it holds
before they are sent again, but a metrics or logs batch that was on the wire when the push was
killed may be stored twice (at least once). Metric points keep their times; statuses take the
time they reach the target (the API takes none for them).

Exit codes: 0 everything was pushed; 1 something was not (said on stderr); 2 usage error;
130 interrupted by Ctrl-C (run the same command again to resume).`;

/** A second Ctrl-C does not wait for the request in flight: the record is consistent at every moment. */
function interruptOnSigint(controller: AbortController): () => void {
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  return () => process.off('SIGINT', onSignal);
}

export const pushCommand: CliCommand = {
  summary: 'copy runs (metrics, logs, statuses, fields) to a Polyaxon server; resumable',
  usage: USAGE,
  run: (args) =>
    runParsed('push', USAGE, parsePushArgs(args), async (options) => {
      const environment = nodeEnvironment();
      // The summary and the error lines say what went wrong; library warnings speak to script authors.
      setLogLevel('error');
      const controller = new AbortController();
      const release = interruptOnSigint(controller);
      try {
        return await runPush(options, {
          stdout: process.stdout,
          stderr: process.stderr,
          getEnv: environment.getEnv,
          runtime: environment,
          signal: controller.signal,
        });
      } finally {
        release();
      }
    }),
};
