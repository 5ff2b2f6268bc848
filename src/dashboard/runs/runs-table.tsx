import { useEffect, useRef, useState } from 'preact/hooks';
import type { Run } from '../api/runs';
import { colorOf } from '../ui/colors';
import { StatusBadge } from '../ui/status-badge';
import type { Column } from './columns';

const ROW_PX = 26;
const OVERSCAN_ROWS = 12;
const CHECK_PX = 30;

export interface RunsTableProps {
  runs: Run[];
  columns: Column[];
  selected: ReadonlySet<number>;
  sort: string;
  onSort(sort: string): void;
  onToggle(id: number): void;
  onToggleAll(select: boolean): void;
  onOpen(id: number): void;
}

/**
 * The runs as a virtualised grid: only the rows in view (and a few around) are in the DOM, so
 * 10,000 runs cost the same to draw and to scroll as 50. Header and rows share one scroller, so
 * they scroll sideways together; the header sticks to the top.
 */
export function RunsTable(props: RunsTableProps) {
  const { runs, columns, selected, sort } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [heightPx, setHeightPx] = useState(600);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeightPx(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const template = `${CHECK_PX}px ${columns.map((column) => `${column.widthPx}px`).join(' ')}`;
  const widthPx = CHECK_PX + columns.reduce((sum, column) => sum + column.widthPx, 0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN_ROWS);
  const last = Math.min(runs.length, Math.ceil((scrollTop + heightPx) / ROW_PX) + OVERSCAN_ROWS);
  const descending = sort.startsWith('-');
  const sortKey = descending ? sort.slice(1) : sort;
  const allSelected = runs.length > 0 && runs.every((run) => selected.has(run.id));

  return (
    <div class="runs-table" ref={scroller} role="grid" aria-rowcount={runs.length + 1} onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}>
      <div class="rt-head" role="row" style={{ gridTemplateColumns: template, width: `${widthPx}px` }}>
        <span class="rt-check">
          <input type="checkbox" aria-label="select all shown runs" checked={allSelected} onChange={() => props.onToggleAll(!allSelected)} />
        </span>
        {columns.map((column) => (
          <span role="columnheader" class="rt-th-cell" aria-sort={sortKey === column.key ? (descending ? 'descending' : 'ascending') : 'none'}>
            <button
              type="button"
              class={`rt-th ${column.numeric ? 'num' : ''} ${column.kind}`}
              aria-label={`sort by ${column.kind === 'fixed' ? '' : `${column.kind} `}${column.label}`}
              title={`sort by ${column.kind === 'fixed' ? '' : `${column.kind} `}${column.label}`}
              onClick={() => props.onSort(sortKey === column.key && !descending ? `-${column.key}` : column.key)}
            >
              <span class="rt-label">{column.label}</span>
              {sortKey === column.key ? <span class="rt-arrow">{descending ? '▼' : '▲'}</span> : null}
            </button>
          </span>
        ))}
      </div>
      <div class="rt-body" style={{ height: `${runs.length * ROW_PX}px`, width: `${widthPx}px` }}>
        {runs.slice(first, last).map((run, offset) => (
          <RunRow key={run.id} run={run} top={(first + offset) * ROW_PX} template={template} checked={selected.has(run.id)} {...props} />
        ))}
      </div>
      {runs.length === 0 ? <p class="empty">No runs match.</p> : null}
    </div>
  );
}

interface RowProps extends RunsTableProps {
  run: Run;
  top: number;
  template: string;
  checked: boolean;
}

function RunRow({ run, top, template, columns, checked, onToggle, onOpen }: RowProps) {
  const color = colorOf(run.id);
  return (
    <div class={`rt-row ${checked ? 'selected' : ''}`} role="row" data-run={run.id} style={{ top: `${top}px`, gridTemplateColumns: template }}>
      <span class="rt-check">
        <input type="checkbox" aria-label={`select run ${run.id}`} checked={checked} onChange={() => onToggle(run.id)} />
        {color ? <i class="swatch" style={{ background: color }} /> : null}
      </span>
      {columns.map((column) => {
        if (column.key === 'status') return <span class="rt-td" role="gridcell"><StatusBadge status={run.status} /></span>;
        if (column.key === 'name') {
          return (
            <span class="rt-td" role="gridcell">
              <a href={`?run=${run.id}`} class="run-link" onClick={(event) => { event.preventDefault(); onOpen(run.id); }}>{run.name}</a>
            </span>
          );
        }
        const text = column.text(run);
        return <span class={`rt-td ${column.numeric ? 'num' : ''}`} role="gridcell" title={text}>{text}</span>;
      })}
    </div>
  );
}
