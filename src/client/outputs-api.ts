import { ofetch } from 'ofetch';
import * as z from 'zod/mini';
import { PolyaxonError, ValidationError, errorKindForStatus } from '../runtime/errors';
import { outputPathProblem } from '../wire/output-path';
import { authorization, requestHeaders } from '../runtime/credentials';
import type { Environment } from '../runtime/environment';
import { buildUrl, type ClientSettings } from '../runtime/settings';
import type { HttpCaller } from './http';
import { checkProjectPath, type ListOptions } from './project-api';
import { paginatedSchema, type Paginated } from '../wire/schemas';
import { serverMessage } from '../wire/server-message';
import { assertExperimentId, pageQuery } from './validate';

/** One stored output, as the local server lists it. */
export interface OutputFile {
  /** Relative to the experiment's outputs, segments joined by `/`. */
  path: string;
  size: number;
  modified_at: string;
}

/** What an upload answers. */
export interface OutputWritten {
  path: string;
  size: number;
}

export type OutputBody = Uint8Array | ArrayBuffer | string;

const outputFileSchema = z.looseObject({ path: z.string(), size: z.number(), modified_at: z.string() });
const outputPage = paginatedSchema(outputFileSchema);
const writtenSchema = z.looseObject({ path: z.string(), size: z.number() });

/**
 * An experiment's outputs on the local server: `POST/GET {user}/{project}/experiments/{id}/outputs/{path}`
 * with the file as a raw body, and `GET .../outputs/` to list them. Polyaxon 0.6 itself has no
 * upload API for clients outside the cluster (there outputs are files under the run's outputs
 * path), so these calls answer 404 from a real Polyaxon server.
 *
 * File URLs carry no trailing slash, unlike the rest of the API: TF.js resolves a model's weight
 * files against the folder of its `model.json` URL.
 */
export class OutputsApi {
  /** @internal Built by PolyaxonClient. */
  constructor(
    private readonly http: HttpCaller,
    private readonly currentSettings: () => Readonly<ClientSettings>,
    private readonly runtime: Pick<Environment, 'unrefTimer'>,
  ) {}

  /** Absolute URL of one output, e.g. for `tf.io.http(url, { requestInit: { headers } })`. */
  url(user: string, project: string, id: number, path: string): string {
    const folder = buildUrl(this.currentSettings().baseUrl, ...outputsPath(user, project, id));
    return folder + checkedPath(path).split('/').map(encodeURIComponent).join('/');
  }

  /** The headers every request carries (the token included): for fetching an output URL directly. */
  headers(): Record<string, string> {
    const settings = this.currentSettings();
    const auth = authorization(settings);
    return requestHeaders(settings.headers, auth ? { Authorization: auth } : {});
  }

  /** Stores `body` as the output `path`, replacing what was there. */
  async upload(user: string, project: string, id: number, path: string, body: OutputBody, options: { contentType?: string } = {}): Promise<OutputWritten> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
    const contentType = options.contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    const answer = await this.exchange('POST', this.url(user, project, id, path), bytes, contentType);
    const parsed = writtenSchema.safeParse(parseJson(answer));
    return parsed.success ? { path: parsed.data.path, size: parsed.data.size } : { path, size: bytes.length };
  }

  /** The bytes of the output `path`. */
  async download(user: string, project: string, id: number, path: string): Promise<ArrayBuffer> {
    return this.exchange('GET', this.url(user, project, id, path));
  }

  /** One page of the experiment's outputs, sorted by path. */
  async list(user: string, project: string, id: number, options: ListOptions = {}): Promise<Paginated<OutputFile>> {
    const path = [...outputsPath(user, project, id)];
    return this.http.call({ method: 'GET', path, query: pageQuery(options) }, outputPage);
  }

  /** One request with a binary body or answer; failures become PolyaxonErrors, as in HttpCaller. */
  private async exchange(method: 'GET' | 'POST', url: string, body?: Uint8Array, contentType?: string): Promise<ArrayBuffer> {
    const settings = this.currentSettings();
    const headers = new Headers(this.headers());
    if (contentType) headers.set('Content-Type', contentType);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    this.runtime.unrefTimer(timer);
    try {
      const response = await ofetch.raw<ArrayBuffer, 'arrayBuffer'>(url, {
        method, headers, body, retry: 0, ignoreResponseError: true, responseType: 'arrayBuffer', signal: controller.signal,
      });
      const data = response._data ?? new ArrayBuffer(0);
      if (response.status >= 400) {
        const answer = parseJson(data);
        throw new PolyaxonError(errorKindForStatus(response.status), response.status, method, url, serverMessage(answer), answer);
      }
      return data;
    } catch (error) {
      if (error instanceof PolyaxonError) throw error;
      const failure = controller.signal.aborted
        ? new PolyaxonError('timeout', 0, method, url, `no answer within ${settings.timeoutMs} ms`)
        : new PolyaxonError('network', 0, method, url, String((error as Error)?.cause ?? (error as Error)?.message ?? error));
      failure.cause = error;
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }
}

function outputsPath(user: string, project: string, id: number): Array<string | number> {
  checkProjectPath(user, project);
  assertExperimentId(id);
  return [user, project, 'experiments', id, 'outputs'];
}

function checkedPath(path: string): string {
  const problem = outputPathProblem(path);
  if (problem) throw new ValidationError('path', problem);
  return path;
}

function parseJson(data: ArrayBuffer): unknown {
  const text = new TextDecoder().decode(data);
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
