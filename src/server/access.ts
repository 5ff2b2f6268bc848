import { randomBytes, randomUUID } from 'node:crypto';
import { forbidden, notFound } from './http';
import type { ExperimentRecord, ProjectRecord, UserAccount } from './model';
import type { RequestContext } from './router';

/**
 * Polyaxon's project permission: the owner and superusers read and write; anyone else may read
 * a public project and gets 403 on a private one or on any write.
 */
export type Access = 'read' | 'write';

export function mayAccess(user: UserAccount, project: ProjectRecord, access: Access): boolean {
  if (user.isSuperuser || user.username === project.user) return true;
  return access === 'read' && project.isPublic;
}

/** The project named by the path's `:user/:project`, or 404 / 403. */
export function projectFromPath(context: RequestContext, access: Access): ProjectRecord {
  const project = context.state.findProject(context.params.user, context.params.project);
  if (!project) throw notFound();
  if (!mayAccess(context.user, project, access)) throw forbidden();
  return project;
}

/** The experiment named by the path's `:user/:project/experiments/:id`, or 404 / 403. */
export function experimentFromPath(
  context: RequestContext,
  access: Access,
): { project: ProjectRecord; experiment: ExperimentRecord } {
  const project = projectFromPath(context, access);
  const experiment = context.state.experiment(Number(context.params.id));
  if (!experiment || experiment.projectId !== project.id) throw notFound();
  return { project, experiment };
}

/** Polyaxon serializes uuids as 32 hex digits without dashes. */
export function uuidHex(): string {
  return randomUUID().replace(/-/g, '');
}

/** `count` random (version 4) uuids as 32 hex digits, from one read of random bytes. */
export function uuidHexes(count: number): string[] {
  const bytes = randomBytes(count * 16);
  const uuids: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    bytes[at + 6] = (bytes[at + 6] & 0x0f) | 0x40;
    bytes[at + 8] = (bytes[at + 8] & 0x3f) | 0x80;
    uuids.push(bytes.toString('hex', at, at + 16));
  }
  return uuids;
}
