import * as z from 'zod';
import { experimentFromPath, uuidHex } from '../access';
import { json } from '../http';
import { DONE_STATUSES, STATUSES, type ServerEvent } from '../model';
import { paginate } from '../pagination';
import type { Route } from '../router';
import { statusBody } from '../serialize';
import type { ServerStore } from '../store/store';
import { bodyObject, optionalText, parseOrRefuse } from '../validation';

const statusBodySchema = z.object({
  status: z.enum(STATUSES, {
    error: (issue) => (issue.input === undefined ? 'This field is required.' : `"${String(issue.input)}" is not a valid choice.`),
  }),
  message: optionalText,
  traceback: optionalText,
});

/** The event that records `status` for an experiment (also used by the zombie sweep). */
export function statusEvent(
  state: ServerStore,
  experiment: number,
  status: string,
  at: string,
  message: string | null = null,
  traceback: string | null = null,
): Extract<ServerEvent, { type: 'status.create' }> {
  return {
    type: 'status.create',
    status: { id: state.nextId('status'), uuid: uuidHex(), experiment, createdAt: at, status, message, traceback },
  };
}

/** Statuses, heartbeat and stop of one experiment. */
export function statusRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: ':user/:project/experiments/:id/statuses',
      mutates: false,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'read');
        const page = paginate(context.state.statusesOf(experiment.id), context.query, context.pageUrl);
        return json(200, { ...page, results: page.results.map(statusBody) });
      },
    },
    {
      method: 'POST',
      path: ':user/:project/experiments/:id/statuses',
      mutates: true,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'write');
        const body = parseOrRefuse(statusBodySchema, bodyObject(context.body));
        const event = statusEvent(context.state, experiment.id, body.status, context.now, body.message, body.traceback);
        context.apply(event);
        if (body.status === 'running') context.heartbeat(experiment.id);
        return json(201, statusBody(event.status));
      },
    },
    {
      method: 'POST',
      path: ':user/:project/experiments/:id/_heartbeat',
      // Heartbeats live in memory only (Polyaxon keeps them in Redis): nothing to replay.
      mutates: false,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'write');
        context.heartbeat(experiment.id);
        return { status: 200 };
      },
    },
    {
      method: 'POST',
      path: ':user/:project/experiments/:id/stop',
      mutates: true,
      handle: (context) => {
        const { experiment } = experimentFromPath(context, 'write');
        // Stopping a finished experiment changes nothing, as in Polyaxon.
        if (!DONE_STATUSES.has(experiment.lastStatus ?? '')) {
          context.apply(statusEvent(context.state, experiment.id, 'stopped', context.now, 'Stopped by user.'));
        }
        return { status: 200 };
      },
    },
  ];
}
