import type { Run } from '../api/runs';

export type RunFilter =
  | { kind: 'ok'; matches: (run: Run) => boolean }
  | { kind: 'error'; message: string };

/**
 * The table's filter: `query` as plain text (case-insensitive, in name, id, tags, description and
 * param values) or as a regular expression when written `/.../flags`; `tag` and `status` exact.
 */
export function compileFilter(query: string, tag: string, status: string): RunFilter {
  let test: (text: string) => boolean = () => true;
  const trimmed = query.trim();
  const regex = /^\/(.+)\/([a-z]*)$/.exec(trimmed);
  if (regex) {
    try {
      const pattern = new RegExp(regex[1], regex[2]);
      test = (text) => pattern.test(text);
    } catch (error) {
      return { kind: 'error', message: `Not a regular expression: ${(error as Error).message}` };
    }
  } else if (trimmed) {
    const needle = trimmed.toLowerCase();
    test = (text) => text.toLowerCase().includes(needle);
  }
  const textual = Boolean(trimmed);
  return {
    kind: 'ok',
    matches: (run) => {
      if (status && run.status !== status) return false;
      if (tag && !run.tags.includes(tag)) return false;
      if (!textual) return true;
      if (test(run.name) || test(String(run.id)) || test(run.description)) return true;
      if (run.tags.some(test)) return true;
      for (const value of run.params.values()) if (test(typeof value === 'string' ? value : JSON.stringify(value))) return true;
      return false;
    },
  };
}
