import { useEffect, useRef, useState } from 'preact/hooks';
import { apiText } from '../api/client';

const MAX_LINES_SHOWN = 5000;

export interface LogsPanelProps {
  path: string;
  /** Changes when new log lines were heard of (live events). */
  version: number;
}

/** The run's log lines: search (plain text, case-insensitive) and follow (keep the newest in view). */
export function LogsPanel({ path, version }: LogsPanelProps) {
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    apiText(`${path}/logs/`, controller.signal).then(
      (text) => setLines(text ? text.replace(/\n$/, '').split('\n') : []),
      (failure: Error) => !controller.signal.aborted && setError(failure.message),
    );
    return () => controller.abort();
  }, [path, version]);

  const needle = search.toLowerCase();
  const matching = lines ? (needle ? lines.filter((line) => line.toLowerCase().includes(needle)) : lines) : [];
  const shown = matching.slice(-MAX_LINES_SHOWN);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow, search]);

  return (
    <section class="panel logs">
      <header class="panel-head">
        <h2>Logs</h2>
        <input type="search" placeholder="search logs" aria-label="search logs" value={search} onInput={(event) => setSearch((event.currentTarget as HTMLInputElement).value)} />
        <label><input type="checkbox" checked={follow} onChange={() => setFollow(!follow)} /> follow</label>
        <span class="hint">
          {lines === null ? 'loading…' : `${needle ? `${matching.length} of ` : ''}${lines.length} lines${matching.length > shown.length ? `, last ${shown.length} shown` : ''}`}
        </span>
      </header>
      {error ? <p class="error">{error}</p> : null}
      <pre class="log-lines" ref={box}>{shown.join('\n')}</pre>
    </section>
  );
}
