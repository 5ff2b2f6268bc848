/**
 * The queue-name rule, both ways. One queue per server: a queue is named after the server's base
 * URL (`queueName`), readable and safe as a folder or database name, and the name gives the
 * server back (`serverOfQueue`, for `polyaxon-tracking sync --all` and `status`).
 */
import { apiBaseUrl } from '../runtime/settings';

/**
 * The base URL without its scheme, every run of characters other than letters, digits, `.` and `-`
 * turned into `_`. So `http://127.0.0.1:8000/api/v1` is queued as `127.0.0.1_8000_api_v1`, which
 * still tells host, port and API version, but not whether the server spoke http or https.
 */
export function queueName(baseUrl: string): string {
  return baseUrl.replace(/^[a-z]+:\/\//i, '').replace(/[^a-zA-Z0-9.-]+/g, '_');
}

/** Host names and IPv4 addresses never hold `_`, so the last two `_` before `api` split cleanly. */
const QUEUE_NAME = /^([A-Za-z0-9.-]+)_(\d{1,5})_api_([A-Za-z0-9.-]+)$/;

export interface QueueServer {
  host: string;
  port: number;
  apiVersion: string;
}

/**
 * Host, port and API version of the server a queue was named after; undefined for a name that
 * does not have that shape (an IPv6 host, a base URL with a path prefix, a name given by hand).
 */
export function serverOfQueue(name: string): QueueServer | undefined {
  const match = QUEUE_NAME.exec(name);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1], port, apiVersion: match[3] };
}

/** `host:port/api/version`: the part of the base URL a queue name keeps. */
export function describeQueueServer(name: string): string | undefined {
  const server = serverOfQueue(name);
  return server && apiBaseUrl(`${server.host}:${server.port}`, server.apiVersion);
}

/**
 * The base URL whose queue is `name`, with the scheme the caller chose (the name lost it).
 * Undefined unless the URL maps back to exactly this name, so a queue is never sent elsewhere.
 */
export function baseUrlOfQueue(name: string, useHttps: boolean): string | undefined {
  const server = serverOfQueue(name);
  if (!server) return undefined;
  const baseUrl = apiBaseUrl(`${useHttps ? 'https' : 'http'}://${server.host}:${server.port}`, server.apiVersion);
  return queueName(baseUrl) === name ? baseUrl : undefined;
}
