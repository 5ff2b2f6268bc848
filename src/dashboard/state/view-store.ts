import { useEffect, useState } from 'preact/hooks';
import { parseView, serializeView, type ViewState } from './url-state';

type Listener = (view: ViewState) => void;

/**
 * The view state, mirrored into the address bar: a change of page (project, tab, run page) is a
 * history entry the back button returns to; every other change replaces the current entry.
 */
class ViewStore {
  private view: ViewState = parseView(location.search);
  private readonly listeners = new Set<Listener>();

  constructor() {
    addEventListener('popstate', () => {
      this.view = parseView(location.search);
      this.emit();
    });
  }

  get(): ViewState {
    return this.view;
  }

  update(change: Partial<ViewState>): void {
    const next = { ...this.view, ...change };
    const newPage = next.project !== this.view.project || next.tab !== this.view.tab || next.run !== this.view.run;
    this.view = next;
    const url = `${location.pathname}${serializeView(next)}`;
    if (newPage) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
    this.emit();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.view);
  }
}

export const viewStore = new ViewStore();

export function useView(): ViewState {
  const [view, setView] = useState(viewStore.get());
  useEffect(() => viewStore.subscribe(setView), []);
  return view;
}

export const updateView = (change: Partial<ViewState>): void => viewStore.update(change);
