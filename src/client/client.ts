import { installedEnvironment } from '../runtime/installed';
import { fetchTransport } from '../outbox/transport';
import { resolveClientSettings, toLookup, type ClientOptions, type ClientSettings } from '../runtime/settings';
import { AuthApi } from './auth-api';
import { ExperimentApi } from './experiment-api';
import { HttpCaller } from './http';
import { OutputsApi } from './outputs-api';
import { ProjectApi } from './project-api';
import { assertClientOptions } from './validate';

/**
 * A typed client for the Polyaxon v0 REST API (polyaxon-v0-api.md). Responses keep the server's
 * snake_case field names, as Polyaxon's Python client does. Each call sends one request, never
 * retries, and fails with a PolyaxonError (or a ValidationError before sending bad input).
 */
export class PolyaxonClient {
  readonly auth: AuthApi;
  readonly project: ProjectApi;
  readonly experiment: ExperimentApi;
  /** Experiment outputs on the local server (Polyaxon 0.6 has no upload API): see OutputsApi. */
  readonly outputs: OutputsApi;
  #settings: Readonly<ClientSettings>;

  constructor(options: ClientOptions = {}) {
    // The public edge: a user's `new PolyaxonClient()` has no runtime to hand in.
    const environment = installedEnvironment();
    assertClientOptions(options, toLookup(options.env, environment.getEnv));
    this.#settings = freeze(resolveClientSettings(options, environment.getEnv));
    const http = new HttpCaller(() => this.#settings, environment.transport ?? fetchTransport(environment));
    this.auth = new AuthApi(http, (token) => this.setToken(token));
    this.project = new ProjectApi(http);
    this.experiment = new ExperimentApi(http);
    this.outputs = new OutputsApi(http, () => this.#settings, environment);
  }

  /** The resolved settings: explicit options over POLYAXON_* variables over defaults. */
  get settings(): Readonly<ClientSettings> {
    return this.#settings;
  }

  /** Replaces the token for every later request, e.g. after a 401 (undefined: send none). */
  setToken(token: string | undefined): void {
    this.#settings = freeze({ ...this.#settings, token: token || undefined });
  }
}

function freeze(settings: ClientSettings): Readonly<ClientSettings> {
  return Object.freeze({ ...settings, headers: Object.freeze({ ...settings.headers }) });
}
