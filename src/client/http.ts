import type { ZodMiniType } from 'zod/mini';
import { PolyaxonError, errorKindForStatus } from '../runtime/errors';
import { TransportFailure, type Transport } from '../outbox/transport';
import { authorization } from '../runtime/credentials';
import { buildUrl, type ClientSettings } from '../runtime/settings';
import { serverMessage } from '../wire/server-message';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

/** What goes on the wire: a JSON value, form fields, or (when neither is set) no body at all. */
export interface ApiRequest {
  method: HttpMethod;
  /** Path parts under the API base; each is followed by `/` like the Python client's `build_url`. */
  path: Array<string | number>;
  query?: Record<string, QueryValue>;
  json?: unknown;
  form?: Record<string, string>;
}

/**
 * Sends one request and maps every failure to a PolyaxonError. No retries (ofetch's are switched
 * off): deciding when to try again belongs to the outbox, which knows what a request carried.
 */
export class HttpCaller {
  constructor(
    private readonly currentSettings: () => Readonly<ClientSettings>,
    private readonly transport: Transport,
  ) {}

  /** Sends and parses the answer with `schema`; a shape mismatch is a `server` error. */
  async call<T>(request: ApiRequest, schema: ZodMiniType<T>): Promise<T> {
    return parseAnswer(request, await this.send(request), schema);
  }

  /** Like `call`, but an empty answer gives null instead of an error. */
  async callOptional<T>(request: ApiRequest, schema: ZodMiniType<T>): Promise<T | null> {
    const answer = await this.send(request);
    return answer.body === undefined ? null : parseAnswer(request, answer, schema);
  }

  /** Sends and returns the parsed body (JSON when it parses, else the text; undefined when empty). */
  async send(request: ApiRequest): Promise<Answer> {
    const settings = this.currentSettings();
    const url = withQuery(buildUrl(settings.baseUrl, ...request.path), request.query);
    const shownUrl = withoutCredentials(url);
    const { headers, body } = encode(request, settings);
    try {
      const response = await this.transport({ method: request.method, url, headers: Object.fromEntries(headers), body, timeoutMs: settings.timeoutMs });
      if (response.status >= 400) {
        throw new PolyaxonError(errorKindForStatus(response.status), response.status, request.method, shownUrl, serverMessage(response.body), response.body);
      }
      return { status: response.status, url: shownUrl, body: response.body };
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      const failure = new PolyaxonError(error.kind, 0, request.method, shownUrl, error.message);
      failure.cause = error;
      throw failure;
    }
  }
}

interface Answer {
  status: number;
  url: string;
  body: unknown;
}

function parseAnswer<T>(request: ApiRequest, answer: Answer, schema: ZodMiniType<T>): T {
  const parsed = schema.safeParse(answer.body);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  throw new PolyaxonError('server', answer.status, request.method, answer.url, `unexpected response: ${where}`, answer.body);
}

function encode(request: ApiRequest, settings: Readonly<ClientSettings>): { headers: Headers; body?: string } {
  // A Headers object folds case, so a user's `authorization` cannot sit beside ours.
  const headers = new Headers(settings.headers);
  headers.set('Accept', 'application/json');
  const auth = authorization(settings);
  if (auth) headers.set('Authorization', auth);
  if (request.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    return { headers, body: JSON.stringify(request.json) };
  }
  if (request.form !== undefined) {
    headers.set('Content-Type', 'application/x-www-form-urlencoded');
    return { headers, body: new URLSearchParams(request.form).toString() };
  }
  headers.delete('Content-Type');
  return { headers };
}

function withQuery(url: string, query: ApiRequest['query']): string {
  if (!query) return url;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `${url}?${text}` : url;
}

/** Error URLs end up in logs: drop any `user:password@` a caller put into the host. */
function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
