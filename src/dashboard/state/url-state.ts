import type { XAxis } from '../api/types';

/**
 * Everything a person chose that makes a view: kept in the query string, so a copied link opens
 * the same view (the fragment belongs to the token, see api/token.ts).
 */
export type Tab = 'runs' | 'compare' | 'params';

export interface ViewState {
  /** `user/name`, or null for the newest project. */
  project: string | null;
  tab: Tab;
  /** The run page shown over the tabs, or null. */
  run: number | null;
  /** Selected runs in the order they were picked (their colours follow that order). */
  selected: number[];
  /** Selected runs left off the charts. */
  hidden: number[];
  x: XAxis;
  /** Exponential smoothing weight, 0 (off) to 0.999. */
  smoothing: number;
  logY: boolean;
  /** Text filter; `/.../` is a regular expression. */
  query: string;
  tag: string;
  status: string;
  /** Column key, `-` in front for descending. */
  sort: string;
  /** Optional columns shown; null for the default choice. */
  columns: string[] | null;
  /** Zoomed x range of the charts, or null for everything. */
  zoom: [number, number] | null;
  /** Metric of the parallel-coordinates plot; '' for the first one. */
  metric: string;
}

export const DEFAULT_VIEW: ViewState = {
  project: null, tab: 'runs', run: null, selected: [], hidden: [], x: 'step', smoothing: 0, logY: false,
  query: '', tag: '', status: '', sort: '-id', columns: null, zoom: null, metric: '',
};

const X_AXES: readonly XAxis[] = ['step', 'time', 'relative'];
const TABS: readonly Tab[] = ['runs', 'compare', 'params'];

const ids = (text: string | null): number[] =>
  (text ?? '').split(',').filter((part) => /^\d+$/.test(part)).map(Number);

function zoomOf(text: string | null): [number, number] | null {
  const match = /^(-?[\d.e+-]+)\.\.(-?[\d.e+-]+)$/.exec(text ?? '');
  if (!match) return null;
  const low = Number(match[1]);
  const high = Number(match[2]);
  return Number.isFinite(low) && Number.isFinite(high) && low < high ? [low, high] : null;
}

export function parseView(search: string): ViewState {
  const query = new URLSearchParams(search);
  const smoothing = Number(query.get('smooth') ?? 0);
  const run = query.get('run');
  const columns = query.get('cols');
  return {
    project: query.get('project'),
    tab: TABS.includes(query.get('tab') as Tab) ? (query.get('tab') as Tab) : DEFAULT_VIEW.tab,
    run: run && /^\d+$/.test(run) ? Number(run) : null,
    selected: ids(query.get('runs')),
    hidden: ids(query.get('hide')),
    x: X_AXES.includes(query.get('x') as XAxis) ? (query.get('x') as XAxis) : DEFAULT_VIEW.x,
    smoothing: Number.isFinite(smoothing) ? Math.min(0.999, Math.max(0, smoothing)) : 0,
    logY: query.get('logy') === '1',
    query: query.get('q') ?? '',
    tag: query.get('tag') ?? '',
    status: query.get('status') ?? '',
    sort: query.get('sort') || DEFAULT_VIEW.sort,
    columns: columns === null ? null : columns.split('\n').filter(Boolean),
    zoom: zoomOf(query.get('zoom')),
    metric: query.get('pc') ?? '',
  };
}

/** The query string of `view`, leaving out what equals the default so links stay short. */
export function serializeView(view: ViewState): string {
  const query = new URLSearchParams();
  const put = (key: string, value: string, fallback = '') => {
    if (value !== fallback) query.set(key, value);
  };
  put('project', view.project ?? '');
  put('tab', view.tab, DEFAULT_VIEW.tab);
  put('run', view.run === null ? '' : String(view.run));
  put('runs', view.selected.join(','));
  put('hide', view.hidden.filter((id) => view.selected.includes(id)).join(','));
  put('x', view.x, DEFAULT_VIEW.x);
  put('smooth', view.smoothing ? String(view.smoothing) : '');
  put('logy', view.logY ? '1' : '');
  put('q', view.query);
  put('tag', view.tag);
  put('status', view.status);
  put('sort', view.sort, DEFAULT_VIEW.sort);
  if (view.columns !== null) query.set('cols', view.columns.join('\n'));
  put('zoom', view.zoom ? `${view.zoom[0]}..${view.zoom[1]}` : '');
  put('pc', view.metric);
  const text = query.toString();
  return text ? `?${text}` : '';
}
