import { currentToken } from './token';
import type { Page } from './types';

/** A refused or failed API call: `status` 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const API = '/api/v1/';

export function authHeaders(): Record<string, string> {
  const token = currentToken();
  return token ? { Authorization: `Token ${token}` } : {};
}

/** `path` below /api/v1/ (or an absolute `next` link the server gave). */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const url = /^https?:/.test(path) ? path : `${API}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { ...authHeaders(), ...(init.headers ?? {}) } });
  } catch (error) {
    throw new ApiError(0, `The server did not answer (${(error as Error).message}).`);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    let detail = text;
    try {
      const body = JSON.parse(text) as { detail?: unknown };
      if (typeof body.detail === 'string') detail = body.detail;
    } catch {
      // Not JSON: the text itself says what went wrong.
    }
    throw new ApiError(response.status, `${response.status}: ${detail || response.statusText}`);
  }
  return response;
}

export async function apiJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await apiFetch(path, { signal })).json() as Promise<T>;
}

export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  return (await apiFetch(path, { signal })).text();
}

const PAGE = 1000;

/**
 * Every item of a paginated list: the first page tells the count, the rest are asked for at once
 * (the server's largest page is 1000 items; 10,000 runs are ten requests in flight together).
 */
export async function listAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const join = path.includes('?') ? '&' : '?';
  const first = await apiJson<Page<T>>(`${path}${join}limit=${PAGE}`, signal);
  const offsets: number[] = [];
  for (let offset = PAGE; offset < first.count; offset += PAGE) offsets.push(offset);
  const rest = await Promise.all(offsets.map((offset) => apiJson<Page<T>>(`${path}${join}limit=${PAGE}&offset=${offset}`, signal)));
  return first.results.concat(...rest.map((page) => page.results));
}

/** A path segment from data (a project name): encoded, never spliced in raw. */
export const segment = (text: string): string => encodeURIComponent(text);
