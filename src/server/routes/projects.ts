import * as z from 'zod';
import type { Accounts } from '../auth';
import { mayAccess, projectFromPath, uuidHex } from '../access';
import { badRequest, json, notFound } from '../http';
import type { ProjectRecord } from '../model';
import { paginate } from '../pagination';
import type { RequestContext, Route } from '../router';
import { projectBody } from '../serialize';
import { bodyObject, entityName, mergeTags, optionalBoolean, optionalText, parseOrRefuse, tags } from '../validation';

const createBody = z.object({
  name: entityName,
  description: optionalText,
  readme: optionalText,
  tags: tags.nullable().optional(),
  is_public: optionalBoolean,
});

const updateBody = createBody.partial().extend({ merge: optionalBoolean });

function refuseTakenName(context: RequestContext, owner: string, name: string): void {
  if (context.state.findProject(owner, name)) {
    throw badRequest({ name: [`A project with name \`${name}\` already exists.`] });
  }
}

function createProject(context: RequestContext) {
  const body = parseOrRefuse(createBody, bodyObject(context.body));
  refuseTakenName(context, context.user.username, body.name);
  const project: ProjectRecord = {
    id: context.state.nextId('project'),
    uuid: uuidHex(),
    user: context.user.username,
    name: body.name,
    description: body.description ?? null,
    readme: body.readme ?? null,
    tags: body.tags ?? [],
    // Polyaxon's Project.is_public defaults to true.
    isPublic: body.is_public ?? true,
    createdAt: context.now,
    updatedAt: context.now,
  };
  context.apply({ type: 'project.create', project });
  return json(201, projectBody(project, context.state));
}

function updateProject(context: RequestContext) {
  const project = projectFromPath(context, 'write');
  const body = parseOrRefuse(updateBody, bodyObject(context.body));
  const changes: Partial<ProjectRecord> = {};
  if (body.name !== undefined && body.name !== project.name) {
    refuseTakenName(context, project.user, body.name);
    changes.name = body.name;
  }
  if (body.description !== undefined) changes.description = body.description;
  if (body.readme !== undefined) changes.readme = body.readme;
  if (body.is_public !== undefined) changes.isPublic = body.is_public;
  if (body.tags !== undefined) {
    changes.tags = body.merge ? mergeTags(project.tags, body.tags ?? []) : (body.tags ?? []);
  }
  context.apply({ type: 'project.update', id: project.id, changes, at: context.now });
  const updated = context.state.findProject(project.user, changes.name ?? project.name) as ProjectRecord;
  return json(200, projectBody(updated, context.state));
}

function listProjects(context: RequestContext, accounts: Accounts) {
  const owner = context.params.user;
  const owned = context.state.projectsOf(owner);
  if (!accounts.get(owner) && owned.length === 0) throw notFound();
  const visible = owned
    .filter((project) => mayAccess(context.user, project, 'read'))
    .sort((a, b) => b.id - a.id);
  const page = paginate(visible, context.query, context.pageUrl);
  return json(200, { ...page, results: page.results.map((project) => projectBody(project, context.state)) });
}

export function projectRoutes(accounts: Accounts): Route[] {
  return [
    { method: 'POST', path: 'projects', mutates: true, handle: createProject },
    { method: 'GET', path: ':user', mutates: false, handle: (context) => listProjects(context, accounts) },
    {
      method: 'GET',
      path: ':user/:project',
      mutates: false,
      handle: (context) => json(200, projectBody(projectFromPath(context, 'read'), context.state)),
    },
    { method: 'PATCH', path: ':user/:project', mutates: true, handle: updateProject },
    {
      method: 'DELETE',
      path: ':user/:project',
      mutates: true,
      handle: (context) => {
        const project = projectFromPath(context, 'write');
        context.apply({ type: 'project.delete', id: project.id });
        return { status: 204 };
      },
    },
  ];
}
