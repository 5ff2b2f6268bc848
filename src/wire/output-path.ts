/**
 * The rule for experiment output paths (`outputs/{path}` on the local server), shared by the
 * client, which refuses before sending, and the server, which refuses what a client let through.
 * Segments are joined with `/`; none may be empty, `.`/`..` or start with a dot, so a path can
 * never leave the experiment's outputs folder or name a hidden file.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
export const MAX_OUTPUT_PATH_LENGTH = 1024;
export const MAX_OUTPUT_PATH_DEPTH = 16;

/** Why `path` is not a valid output path, or null when it is. */
export function outputPathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'must be a non-empty string';
  if (path.length > MAX_OUTPUT_PATH_LENGTH) return `must be at most ${MAX_OUTPUT_PATH_LENGTH} characters`;
  const segments = path.split('/');
  if (segments.length > MAX_OUTPUT_PATH_DEPTH) return `must be at most ${MAX_OUTPUT_PATH_DEPTH} segments deep`;
  if (!segments.every((segment) => SEGMENT.test(segment))) {
    return 'segments (joined by "/") must be letters, digits, ".", "_" or "-", and not start with "."';
  }
  return null;
}
