/**
 * Experiment calls as record bodies (polyaxon-v0-api.md, "What each tracking method sends"): the
 * validation at the edge (reliability F21) and the shape each request takes, before anything is
 * queued.
 */
import { cutStatusMessage, validateDescription, validateFramework, validateName, validateStatus, validateTags } from '../wire/validation';
import type { CreateOptions } from './options';

/** The create body: `is_managed: false` and `backend: 'other'` unless given, as the Python client sends. */
export function createBody(options: CreateOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { is_managed: false, backend: options.backend === undefined ? 'other' : validateFramework('backend', options.backend) };
  if (options.name !== undefined) body.name = validateName('name', options.name);
  if (options.description !== undefined) body.description = validateDescription(options.description);
  if (options.tags !== undefined) body.tags = validateTags(options.tags);
  if (options.framework !== undefined) body.framework = validateFramework('framework', options.framework);
  return body;
}

/**
 * A status body; `message` and `traceback` only when set, as the Python client sends them. The
 * message is cut to the server's 256 characters (F43); the traceback has no limit there.
 */
export function statusBody(status: string, message?: string, traceback?: string): Record<string, string> {
  const body: Record<string, string> = { status: validateStatus(status) };
  if (message) body.message = cutStatusMessage(String(message));
  if (traceback) body.traceback = String(traceback);
  return body;
}

/** A PATCH body with `merge: true` unless the caller asked to reset. */
export function merged(body: Record<string, unknown>, reset: boolean | undefined): Record<string, unknown> {
  return reset ? body : { ...body, merge: true };
}
