import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { outputPathProblem } from '../../wire/output-path';
import { experimentFromPath } from '../access';
import { HttpError, badRequest, json, notFound } from '../http';
import { paginate } from '../pagination';
import type { RequestContext, Route } from '../router';

/** Folder of the data folder that holds every experiment's outputs: `outputs/<experiment id>/<path>`. */
export const OUTPUTS_FOLDER = 'outputs';

/**
 * Experiment outputs (saved models, files): Polyaxon 0.6 has no upload API for clients outside
 * the cluster, so the local server adds `POST/GET {user}/{project}/experiments/{id}/outputs/{path}`
 * (raw body, stored as sent) and `GET .../outputs/` (a paginated listing). Access, token and body
 * size limit are those of every other route; uploads are fsynced before the answer.
 */
export function outputRoutes(dataDir: string): Route[] {
  const root = resolve(dataDir, OUTPUTS_FOLDER);
  const base = ':user/:project/experiments/:id/outputs';
  return [
    { method: 'GET', path: base, mutates: false, handle: (context) => listOutputs(root, context) },
    { method: 'GET', path: `${base}/*path`, mutates: false, handle: (context) => readOutput(root, context) },
    { method: 'POST', path: `${base}/*path`, mutates: false, rawBody: true, handle: (context) => writeOutput(root, context) },
  ];
}

async function writeOutput(root: string, context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'write');
  const path = checkedPath(context.params.path);
  const file = fileOf(root, experiment.id, path);
  const bytes = context.body as Buffer;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  } catch (error) {
    if (isCode(error, 'EEXIST', 'ENOTDIR')) throw conflict(path, 'a folder on its way is a file');
    throw error;
  }
  const temporary = join(dirname(file), `.upload-${randomBytes(8).toString('hex')}`);
  try {
    await writeDurably(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    if (isCode(error, 'EISDIR', 'ENOTEMPTY', 'EEXIST', 'EPERM')) throw conflict(path, 'it is a folder');
    throw error;
  }
  await syncFolder(dirname(file));
  return json(201, { path, size: bytes.length });
}

async function readOutput(root: string, context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'read');
  const path = checkedPath(context.params.path);
  let bytes: Buffer;
  try {
    bytes = await readFile(fileOf(root, experiment.id, path));
  } catch (error) {
    if (isCode(error, 'ENOENT', 'EISDIR', 'ENOTDIR')) throw notFound();
    throw error;
  }
  return { status: 200, bytes, headers: { 'Content-Type': contentTypeOf(path) } };
}

async function listOutputs(root: string, context: RequestContext) {
  const { experiment } = experimentFromPath(context, 'read');
  const folder = join(root, String(experiment.id));
  const files: Array<{ path: string; size: number; modified_at: string }> = [];
  for (const path of await walk(folder)) {
    const info = await stat(join(folder, path));
    files.push({ path, size: info.size, modified_at: info.mtime.toISOString() });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return json(200, paginate(files, context.query, context.pageUrl));
}

/** Paths of the files under `folder` (relative, hidden entries skipped); none when it is missing. */
async function walk(folder: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(folder, prefix), { withFileTypes: true }).catch((error: unknown) => {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  });
  const paths: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) paths.push(...(await walk(folder, path)));
    else if (entry.isFile()) paths.push(path);
  }
  return paths;
}

/** The router already refused `.`, `..`, empty and encoded-separator segments (http.ts parsePath). */
function checkedPath(path: string): string {
  const problem = outputPathProblem(path);
  if (problem) throw badRequest({ path: [`Output path ${problem}.`] });
  return path;
}

function fileOf(root: string, experimentId: number, path: string): string {
  const folder = join(root, String(experimentId));
  const file = resolve(folder, ...path.split('/'));
  // Belt and braces over checkedPath: nothing outside the experiment's folder is ever touched.
  if (!file.startsWith(folder + sep)) throw badRequest({ path: ['Output path must stay inside the outputs folder.'] });
  return file;
}

async function writeDurably(file: string, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename durable; some platforms cannot sync a folder, and the file itself already is. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort, see above.
  }
}

function contentTypeOf(path: string): string {
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.txt') || path.endsWith('.log')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

function conflict(path: string, why: string): HttpError {
  return new HttpError(409, { detail: `Cannot write the output ${path}: ${why}.` });
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as { code?: unknown })?.code as string);
}
