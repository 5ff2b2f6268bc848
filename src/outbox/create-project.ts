import { logger } from '../runtime/logger';
import type { ClientSettings } from '../runtime/settings';
import { serverOrigin, type Trouble } from '../runtime/trouble';
import { exchange, type ExchangeOptions } from './exchange';
import { REFUSAL_STATUS, type Outcome } from './policy';
import type { OutboxRecord } from './records';
import { apiRequest, isCreateBody, whoAmIRequest, type OutboxRequest, type ResolvedTarget } from './requests';
import type { UserLookup } from './run-targets';

export type NotCreated = Extract<Trouble, { kind: 'project_missing' }>['notCreated'];

/**
 * What became of a missing project (F36): created (the experiment's create goes again at once),
 * not created and why (the records wait), or no answer from the server (retried like any request).
 */
export type ProjectAttempt =
  | { kind: 'created' }
  | { kind: 'not_created'; notCreated: NotCreated }
  | { kind: 'retry'; outcome: Extract<Outcome, { kind: 'retry' } | { kind: 'pause' }>; request: OutboxRequest };

export interface ProjectCreator {
  options: ExchangeOptions;
  lookupUser(settings: ClientSettings): Promise<UserLookup>;
  knownUser(settings: ClientSettings): string | undefined;
  /** Projects this outbox created or tried to, by `origin user/project`: each is tried once. */
  tried: Set<string>;
}

/**
 * The server answered 404 to an experiment's create: its project is missing. With `createProject`
 * (the default, kept in the create record so `sync` does the same) the project is created as
 * Polyaxon's `POST /projects/` does, owned by the token's user, but only when that user is the
 * project's owner: a project named `other/name` is never created under another name.
 */
export async function createMissingProject(creator: ProjectCreator, create: OutboxRecord, target: ResolvedTarget, settings: ClientSettings): Promise<ProjectAttempt> {
  if (isCreateBody(create.body) && create.body.createProject === false) return { kind: 'not_created', notCreated: { why: 'option_off' } };
  let tokenUser = creator.knownUser(settings);
  if (tokenUser === undefined) {
    const lookup = await creator.lookupUser(settings);
    if (lookup.kind === 'failed') return { kind: 'retry', outcome: waitingOutcome(lookup.outcome), request: whoAmIRequest(settings) };
    tokenUser = lookup.user;
  }
  if (tokenUser !== target.user) return { kind: 'not_created', notCreated: { why: 'other_owner', tokenUser } };

  const origin = serverOrigin(settings.baseUrl);
  const key = `${origin} ${target.user}/${target.project}`;
  if (creator.tried.has(key)) {
    return { kind: 'not_created', notCreated: { why: 'refused', status: 404, message: 'the server still answers 404 after the project was created' } };
  }
  const request = apiRequest({ method: 'POST', path: ['projects'], json: { name: target.project } }, settings);
  const outcome = await exchange(creator.options, request, 1);
  switch (outcome.kind) {
    case 'retry':
      return { kind: 'retry', outcome, request };
    case 'pause':
      creator.tried.add(key);
      return { kind: 'not_created', notCreated: { why: 'refused', status: REFUSAL_STATUS[outcome.reason], message: outcome.message } };
    case 'ok':
      creator.tried.add(key);
      logger.info(`created project ${target.user}/${target.project} on ${origin} (createProject)`);
      return { kind: 'created' };
    default:
      // A 400 (a project of that name appeared meanwhile): the create goes once more, and a
      // second 404 then says the project cannot be made to exist from here.
      creator.tried.add(key);
      return { kind: 'created' };
  }
}

/** A failed `GET users/` says nothing about the records: they wait, as for any unanswered request. */
export function waitingOutcome(outcome: Outcome): Extract<Outcome, { kind: 'retry' } | { kind: 'pause' }> {
  if (outcome.kind === 'retry' || outcome.kind === 'pause') return outcome;
  return { kind: 'retry', reason: 'server', message: `user lookup failed: ${outcome.kind === 'ok' ? 'no username' : outcome.message}` };
}
