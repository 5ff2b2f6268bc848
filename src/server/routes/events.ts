import { projectFromPath } from '../access';
import type { LiveHub } from '../live';
import type { Route } from '../router';

/**
 * `GET {user}/{project}/events/`: the project's live events as server-sent events (live.ts), a
 * local-server extension the dashboard reads with fetch() so that the token header goes along
 * (EventSource cannot send one).
 */
export function eventRoutes(hub: LiveHub): Route[] {
  return [
    {
      method: 'GET',
      path: ':user/:project/events',
      mutates: false,
      handle: (context) => {
        const project = projectFromPath(context, 'read');
        return {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
          keepOpen: (res) => hub.subscribe(project.id, res),
        };
      },
    },
  ];
}
