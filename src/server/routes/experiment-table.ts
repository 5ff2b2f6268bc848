import { projectFromPath } from '../access';
import type { Route } from '../router';
import { TABLE_FIELDS } from '../store/experiments';

const FIELDS_JSON = JSON.stringify(TABLE_FIELDS);

/**
 * `GET {user}/{project}/experiments/table/`: every run of the project in one answer, with only
 * the fields the dashboard's runs table shows, each run an array in the order of `fields`
 * (`{"fields": ["id", "name", ...], "rows": [[12, "run-a", ...], ...]}`), newest first; times as
 * stored (ISO 8601, UTC). A local-server extension (a Polyaxon 0.6 server has none): the paged
 * list answers 1000 runs at a time with every field, and 10,000 runs read that way took the
 * dashboard over a second.
 */
export function experimentTableRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: ':user/:project/experiments/table',
      mutates: false,
      handle: (context) => {
        const project = projectFromPath(context, 'read');
        const rows = context.state.experimentTableJson(project.id);
        return { status: 200, text: `{"fields":${FIELDS_JSON},"rows":${rows}}`, headers: { 'Content-Type': 'application/json' } };
      },
    },
  ];
}
