import { readFileSync } from 'node:fs';
import { promisedDistFiles, REPO_ROOT } from '../../demo/ensure-built.mjs';

export { REPO_ROOT };

/** The repository's package.json, as npm and the tests read it. */
export const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8'));

/** Every dist/ file package.json points users at, as package-relative paths (`dist/index.node.mjs`). */
export const promisedFiles = (): string[] => promisedDistFiles(REPO_ROOT);
