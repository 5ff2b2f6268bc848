import { useEffect, useState } from 'preact/hooks';
import type { Run } from '../api/runs';
import { updateView } from '../state/view-store';
import type { ViewState } from '../state/url-state';
import type { Column } from './columns';
import { RunsTable } from './runs-table';

export interface RunsViewProps {
  view: ViewState;
  /** Every run of the project. */
  all: Run[];
  /** The runs the filter lets through, sorted. */
  shown: Run[];
  columns: { shown: Column[]; available: Column[] };
  filterError: string | null;
  onOpen(id: number): void;
}

const MAX_SELECT_ALL = 20;

/** Filters (text or /regex/, tag, status), column choice, and the runs table. */
export function RunsView({ view, all, shown, columns, filterError, onOpen }: RunsViewProps) {
  const [query, setQuery] = useState(view.query);
  useEffect(() => setQuery(view.query), [view.query]);
  // The URL follows typing after a short pause, not at every key.
  useEffect(() => {
    if (query === view.query) return;
    const timer = setTimeout(() => updateView({ query }), 150);
    return () => clearTimeout(timer);
  }, [query]);

  const statuses = [...new Set(all.map((run) => run.status))].sort();
  const tags = [...new Set(all.flatMap((run) => run.tags))].sort();
  const selected = new Set(view.selected);
  const chosenKeys = new Set(columns.shown.map((column) => column.key));
  const setColumn = (key: string, on: boolean) => {
    const optional = columns.shown.filter((column) => column.kind !== 'fixed').map((column) => column.key);
    updateView({ columns: on ? [...optional, key] : optional.filter((other) => other !== key) });
  };

  return (
    <div class="runs-view">
      <div class="toolbar">
        <input
          type="search" class="filter" placeholder="filter runs: text, or /regex/" aria-label="filter runs"
          value={query} onInput={(event) => setQuery((event.currentTarget as HTMLInputElement).value)}
        />
        <select aria-label="status" value={view.status} onChange={(event) => updateView({ status: (event.currentTarget as HTMLSelectElement).value })}>
          <option value="">any status</option>
          {statuses.map((status) => <option key={status} value={status}>{status}</option>)}
        </select>
        <select aria-label="tag" value={view.tag} onChange={(event) => updateView({ tag: (event.currentTarget as HTMLSelectElement).value })}>
          <option value="">any tag</option>
          {tags.map((tag) => <option key={tag} value={tag}>{tag}</option>)}
        </select>
        <details class="columns-picker">
          <summary>columns</summary>
          <div class="columns-menu">
            {columns.available.length === 0 ? <p class="empty">No metrics or params yet.</p> : null}
            {columns.available.map((column) => (
              <label key={column.key}>
                <input type="checkbox" checked={chosenKeys.has(column.key)} onChange={(event) => setColumn(column.key, (event.currentTarget as HTMLInputElement).checked)} />
                <span class="kind">{column.kind}</span> {column.label}
              </label>
            ))}
          </div>
        </details>
        <span class="count" aria-live="polite">
          {shown.length === all.length ? `${all.length.toLocaleString('en-US')} runs` : `${shown.length.toLocaleString('en-US')} of ${all.length.toLocaleString('en-US')} runs`}
          {view.selected.length > 0 ? ` · ${view.selected.length} selected` : ''}
        </span>
        {view.selected.length > 0 ? (
          <button type="button" class="primary" onClick={() => updateView({ tab: 'compare' })}>compare {view.selected.length}</button>
        ) : null}
      </div>
      {filterError ? <p class="error">{filterError}</p> : null}
      <RunsTable
        runs={shown}
        columns={columns.shown}
        selected={selected}
        sort={view.sort}
        onSort={(sort) => updateView({ sort })}
        onToggle={(id) => updateView({ selected: selected.has(id) ? view.selected.filter((other) => other !== id) : [...view.selected, id] })}
        onToggleAll={(select) =>
          updateView({
            selected: select
              ? [...view.selected, ...shown.filter((run) => !selected.has(run.id)).slice(0, Math.max(0, MAX_SELECT_ALL - view.selected.length)).map((run) => run.id)]
              : view.selected.filter((id) => !shown.some((run) => run.id === id)),
          })
        }
        onOpen={onOpen}
      />
    </div>
  );
}
