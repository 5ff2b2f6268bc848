import * as z from 'zod';
import { experimentFromPath, uuidHex } from '../access';
import { json } from '../http';
import { STATUSES, type ServerEvent } from '../model';
import { paginate } from '../pagination';
import type { Route } from '../router';
import { statusBody } from '../serialize';
import type { ServerStore } from '../store/store';
import { bodyObject, limitedText, optionalText, parseOrRefuse } from '../validation';

const statusBodySchema = z.object({
  status: z.enum(STATUSES, {
    error: (issue) => (issue.input === undefined ? 'This field is required.' : `"${String(issue.input)}" is not a valid choice.`),
  }),
  // db/models/statuses.py: message = CharField(max_length=256), traceback = TextField.
  message: limitedText(256).nullable().optional(),
  traceback: optionalText,
});

/**
 * What stop/ appends (scheduler/tasks/experiments.py experiments_stop:
 * `set_status(STOPPED, message=message or 'Experiment was stopped')`), unless the run's last
 * status cannot move to `stopped` (lifecycles/experiments.py TRANSITION_MATRIX[STOPPED] =
 * VALUES - {STOPPED, SKIPPED}): so also after succeeded or failed.
 */
const STOP_MESSAGE = 'Experiment was stopped';
// A run without any status (None) is not in VALUES either.
const NOT_STOPPABLE: ReadonlySet<string | null> = new Set(['stopped', 'skipped', null]);

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
        if (!NOT_STOPPABLE.has(experiment.lastStatus)) {
          context.apply(statusEvent(context.state, experiment.id, 'stopped', context.now, STOP_MESSAGE));
        }
        // ExperimentStopView.post (api/experiments/views.py): Response(status=200), no body.
        return { status: 200 };
      },
    },
  ];
}
