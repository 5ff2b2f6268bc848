import type { CodeReferenceBody } from '../api/types';

const KNOWN_HOSTS: Record<string, (repo: string, commit: string) => string> = {
  'github.com': (repo, commit) => `https://github.com/${repo}/commit/${commit}`,
  'gitlab.com': (repo, commit) => `https://gitlab.com/${repo}/-/commit/${commit}`,
  'bitbucket.org': (repo, commit) => `https://bitbucket.org/${repo}/commits/${commit}`,
};

/**
 * A link to the commit on its remote when the remote is a known host (`https://github.com/o/r.git`,
 * `git@github.com:o/r.git`, `ssh://git@gitlab.com/g/r`), else null. Only https links are built,
 * from path segments that are plain names, so a crafted remote cannot become a `javascript:` link.
 */
export function commitUrl(reference: CodeReferenceBody): string | null {
  const commit = reference.commit ?? reference.head;
  if (!reference.git_url || !commit || !/^[0-9a-f]{7,64}$/i.test(commit)) return null;
  const match =
    /^(?:https?:\/\/(?:[^@/]+@)?|ssh:\/\/(?:[^@/]+@)?|[^@/\s]+@)([a-z0-9.-]+)(?::\d+)?[:/]([\w.-]+(?:\/[\w.-]+)+?)(?:\.git)?\/?$/i.exec(reference.git_url.trim());
  if (!match) return null;
  const link = KNOWN_HOSTS[match[1].toLowerCase()];
  return link ? link(match[2].replace(/\.git$/, ''), commit) : null;
}
