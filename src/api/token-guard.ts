import type { Environment } from '../runtime/environment';
import { redactKnownSecrets, redactKnownText } from '../runtime/redact';

/**
 * The runtime as an experiment hands it on, minus its client's token in what it describes (F40):
 * the run env (a token given as a bare command-line argument is in argv) and captured console
 * lines (a script that prints its token). Both become records, and records reach the journal, so
 * the token is taken out before they exist. Everything else is the runtime itself (prototype).
 */
export function withoutToken(environment: Environment, token: () => string | undefined): Environment {
  const guarded = Object.create(environment) as Environment;
  guarded.runEnv = async () => redactKnownSecrets(await environment.runEnv(), [token()]);
  guarded.captureConsole = (sink) => environment.captureConsole((level, line) => sink(level, redactKnownText(line, [token()])));
  return guarded;
}
