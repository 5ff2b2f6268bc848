/**
 * Whether the page is a notebook's output, from what each notebook leaves visible to JavaScript
 * in its output cells. Heuristics, checked in this order (the first match wins):
 * - Colab: outputs run in a sandboxed frame that has the `google.colab` object, on
 *   `*.googleusercontent.com` (or the page itself is `colab.research.google.com`).
 * - Kaggle: `kaggle.com` or `*.kaggleusercontent.com` output frames.
 * - VS Code notebooks: the renderer webview exposes `acquireVsCodeApi` (`vscode-webview:` pages).
 * - Jupyter: classic Notebook has the `Jupyter`/`IPython` globals; JupyterLab and Notebook 7
 *   embed `<script id="jupyter-config-data">`; JupyterLite pages carry the same config element.
 * - Observable: `observablehq.com` or notebooks' `*.observableusercontent.com` frames.
 * A plain page (or a Web Worker, which sees none of these) is not a notebook.
 */
export type NotebookKind = 'colab' | 'kaggle' | 'vscode' | 'jupyter' | 'observable';

export interface NotebookProbe {
  hostname: string;
  protocol: string;
  /** Globals that exist on the page (`google`, `Jupyter`, `IPython`, `acquireVsCodeApi`). */
  hasGlobal(name: string): boolean;
  /** True when an element with this id exists (false without a document). */
  hasElement(id: string): boolean;
}

const endsWithDomain = (hostname: string, domain: string) =>
  hostname === domain || hostname.endsWith(`.${domain}`);

export function detectNotebook(probe: NotebookProbe): NotebookKind | null {
  const host = probe.hostname.toLowerCase();
  if (host === 'colab.research.google.com' || (probe.hasGlobal('google.colab') && endsWithDomain(host, 'googleusercontent.com'))) {
    return 'colab';
  }
  if (endsWithDomain(host, 'kaggle.com') || endsWithDomain(host, 'kaggleusercontent.com')) return 'kaggle';
  if (probe.protocol === 'vscode-webview:' || probe.hasGlobal('acquireVsCodeApi')) return 'vscode';
  if (probe.hasGlobal('Jupyter') || probe.hasGlobal('IPython') || probe.hasElement('jupyter-config-data')) {
    return 'jupyter';
  }
  if (endsWithDomain(host, 'observablehq.com') || endsWithDomain(host, 'observableusercontent.com')) return 'observable';
  return null;
}

/** The probe over the real globals; every access guarded (a Worker has no `document`). */
export function pageNotebookProbe(scope: Record<string, unknown> = globalThis as never): NotebookProbe {
  const location = scope.location as { hostname?: string; protocol?: string } | undefined;
  const doc = scope.document as { getElementById?(id: string): unknown } | undefined;
  return {
    hostname: typeof location?.hostname === 'string' ? location.hostname : '',
    protocol: typeof location?.protocol === 'string' ? location.protocol : '',
    hasGlobal(path) {
      let value: unknown = scope;
      for (const part of path.split('.')) {
        if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
        value = (value as Record<string, unknown>)[part];
      }
      return value !== undefined && value !== null;
    },
    hasElement(id) {
      if (!doc || typeof doc.getElementById !== 'function') return false;
      return doc.getElementById(id) != null;
    },
  };
}
