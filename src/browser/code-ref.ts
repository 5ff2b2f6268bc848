import * as z from 'zod/mini';
import type { CodeRef } from '../runtime/environment';
import { ValidationError } from '../runtime/errors';
import { logger } from '../runtime/logger';
import { redactUrlCredentials } from '../runtime/redact';

/**
 * Browsers cannot run git, so the code reference comes from whoever can: the user, or their
 * bundler at build time, sets `globalThis.POLYAXON_CODE_REF` (or passes the `codeRef` option) to
 * an object shaped like Polyaxon's `coderef/` body, e.g. with Vite:
 * `define: { 'globalThis.POLYAXON_CODE_REF': JSON.stringify({ commit, branch, git_url }) }`.
 * Missing fields become null; a value of the wrong shape gives null and one warning.
 */
export const CODE_REF_GLOBAL = 'POLYAXON_CODE_REF';

const optionalText = z.optional(z.nullable(z.string()));

const codeRefShape = z.object({
  commit: optionalText,
  head: optionalText,
  branch: optionalText,
  git_url: optionalText,
  is_dirty: z.optional(z.nullable(z.boolean())),
});

export type CodeRefCheck = { kind: 'ok'; codeRef: CodeRef } | { kind: 'invalid'; field: string; rule: string };

/** Checks a user-provided code reference; credentials in `git_url` are stripped. */
export function checkCodeRef(value: unknown): CodeRefCheck {
  const parsed = codeRefShape.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? `codeRef.${issue.path.join('.')}` : 'codeRef';
    return { kind: 'invalid', field, rule: describeRule(issue?.code) };
  }
  const given = parsed.data;
  if (given.commit == null && given.branch == null && given.git_url == null && given.head == null) {
    return { kind: 'invalid', field: 'codeRef', rule: 'must name at least one of commit, head, branch, git_url' };
  }
  return {
    kind: 'ok',
    codeRef: {
      commit: given.commit ?? null,
      head: given.head ?? given.commit ?? null,
      branch: given.branch ?? null,
      git_url: given.git_url == null ? null : redactUrlCredentials(given.git_url),
      is_dirty: given.is_dirty ?? null,
    },
  };
}

function describeRule(code: string | undefined): string {
  if (code === 'invalid_type') return 'must be an object of strings (is_dirty: boolean), or null';
  return 'must match the coderef shape';
}

/** The `codeRef` option, checked where it is given: bad input is the caller's error. */
export function codeRefOption(value: CodeRef | undefined): CodeRef | undefined {
  if (value === undefined) return undefined;
  const check = checkCodeRef(value);
  if (check.kind === 'invalid') throw new ValidationError(check.field, check.rule);
  return check.codeRef;
}

/** The injected global, read when asked (a page may set it after this script loaded). */
export function injectedCodeRef(scope: Record<string, unknown> = globalThis as never): CodeRef | null {
  const value = scope[CODE_REF_GLOBAL];
  if (value === undefined || value === null) return null;
  const check = checkCodeRef(value);
  if (check.kind === 'ok') return check.codeRef;
  logger.warnOnce('code-ref-invalid', `${CODE_REF_GLOBAL} ignored: ${check.field} ${check.rule}`);
  return null;
}
