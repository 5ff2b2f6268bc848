import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCodeRef } from '../../src/node/git';

let root: string;

/** Runs git with a fixed identity and no user or system config, so the machine's settings do not leak in. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' },
  }).trim();
}

async function newRepo(name: string, options: { commit?: boolean } = {}): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir);
  git(dir, 'init', '-q', '-b', 'trunk');
  if (options.commit !== false) {
    await writeFile(path.join(dir, 'train.js'), 'console.log(1)\n');
    git(dir, 'add', 'train.js');
    git(dir, 'commit', '-q', '-m', 'first');
  }
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'polyaxon-git-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readCodeRef (F23)', () => {
  it('F23 a clean repo gives commit, head, branch, remote and is_dirty false', async () => {
    const dir = await newRepo('clean');
    git(dir, 'remote', 'add', 'origin', 'https://github.com/org/repo.git');
    const commit = git(dir, 'rev-parse', 'HEAD');
    expect(await readCodeRef({ cwd: dir })).toEqual({
      commit,
      head: commit,
      branch: 'trunk',
      git_url: 'https://github.com/org/repo.git',
      is_dirty: false,
    });
  });

  it('F23 works from a subfolder and on another branch', async () => {
    const dir = await newRepo('branch');
    git(dir, 'checkout', '-q', '-b', 'feature/x');
    await mkdir(path.join(dir, 'src'));
    const ref = await readCodeRef({ cwd: path.join(dir, 'src') });
    expect(ref?.branch).toBe('feature/x');
    expect(ref?.git_url).toBeNull();
  });

  it('F23 a modified or untracked file makes the tree dirty', async () => {
    const dir = await newRepo('dirty');
    await writeFile(path.join(dir, 'train.js'), 'console.log(2)\n');
    expect((await readCodeRef({ cwd: dir }))?.is_dirty).toBe(true);
    git(dir, 'checkout', '--', 'train.js');
    await writeFile(path.join(dir, 'new.txt'), 'x');
    expect((await readCodeRef({ cwd: dir }))?.is_dirty).toBe(true);
  });

  it('F23 detached HEAD gives the commit and a null branch', async () => {
    const dir = await newRepo('detached');
    const commit = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '--detach');
    expect(await readCodeRef({ cwd: dir })).toMatchObject({ commit, head: commit, branch: null, is_dirty: false });
  });

  it('F23 a repo without commits gives a partial reference', async () => {
    const dir = await newRepo('unborn', { commit: false });
    expect(await readCodeRef({ cwd: dir })).toEqual({
      commit: null,
      head: null,
      branch: 'trunk',
      git_url: null,
      is_dirty: false,
    });
  });

  it('F23 remote credentials are stripped; ssh remotes are kept', async () => {
    const dir = await newRepo('remote');
    git(dir, 'remote', 'add', 'origin', 'https://user:s3cret@gitlab.example.com/org/repo.git');
    const ref = await readCodeRef({ cwd: dir });
    expect(ref?.git_url).toBe('https://gitlab.example.com/org/repo.git');
    expect(JSON.stringify(ref)).not.toContain('s3cret');

    git(dir, 'remote', 'set-url', 'origin', 'git@github.com:org/repo.git');
    expect((await readCodeRef({ cwd: dir }))?.git_url).toBe('git@github.com:org/repo.git');
  });

  it('F23 a folder outside any repo gives null', async () => {
    const dir = path.join(root, 'plain');
    await mkdir(dir);
    // GIT_CEILING_DIRECTORIES keeps git from finding a repo above the temp folder.
    const previous = process.env.GIT_CEILING_DIRECTORIES;
    process.env.GIT_CEILING_DIRECTORIES = root;
    try {
      expect(await readCodeRef({ cwd: dir })).toBeNull();
    } finally {
      if (previous === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
      else process.env.GIT_CEILING_DIRECTORIES = previous;
    }
  });

  it('F23 git missing gives null', async () => {
    const dir = await newRepo('missing-git');
    expect(await readCodeRef({ cwd: dir, gitPath: path.join(root, 'no-such-git') })).toBeNull();
  });

  it('F23 a git that cannot be executed gives null', async () => {
    const dir = await newRepo('no-permission');
    const fake = path.join(root, 'not-executable-git');
    await writeFile(fake, '#!/bin/sh\necho true\n');
    await chmod(fake, 0o644);
    expect(await readCodeRef({ cwd: dir, gitPath: fake })).toBeNull();
  });

  it('F23 a git that hangs is cut off by the timeout and gives null', async () => {
    const dir = await newRepo('slow-git');
    const fake = path.join(root, 'hanging-git');
    await writeFile(fake, '#!/bin/sh\nexec sleep 10\n');
    await chmod(fake, 0o755);
    const started = Date.now();
    expect(await readCodeRef({ cwd: dir, gitPath: fake, timeoutMs: 200 })).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('F23 a cwd that does not exist gives null', async () => {
    expect(await readCodeRef({ cwd: path.join(root, 'gone') })).toBeNull();
  });
});
