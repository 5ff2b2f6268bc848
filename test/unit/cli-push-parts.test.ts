/**
 * The parts of `push` that need no server: its arguments, the wire forms it copies into, its
 * token files, its waits, and its record file (atomic, private, locked).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeRefBody, createBody, pythonTime } from '../../src/cli/push/copy';
import { parsePushArgs } from '../../src/cli/push/options';
import { GaveUp, retrying, type Attempt } from '../../src/cli/push/retry';
import { newEntry, StateFile } from '../../src/cli/push/state';
import { readTokenSource } from '../../src/cli/token-source';
import { cleanups, folder, runCleanups } from '../fixtures/cli-helpers';

afterEach(runCleanups);

describe('push arguments', () => {
  it('reads every option, with the documented defaults', () => {
    const parsed = parsePushArgs(['--to', 'https://polyaxon.example.com']);
    expect(parsed).toEqual({
      kind: 'ok',
      to: { host: 'polyaxon.example.com', port: 443, useHttps: true, origin: 'https://polyaxon.example.com:443' },
      from: { host: '127.0.0.1', port: 8000, useHttps: false, origin: 'http://127.0.0.1:8000' },
      batchSize: 5000,
      retryForSeconds: 300,
    });
    const all = parsePushArgs([
      '--to', 'http://h:31811/api/v1/', '--token-file', 'f', '--from', 'http://127.0.0.1:9000', '--from-token-file', 'g',
      '--project', 'alice/mnist', '--experiments', '3,1,3', '--to-project', 'archive', '--state', 's.json', '--batch', '100', '--retry-for', '2.5',
    ]);
    expect(all).toMatchObject({
      to: { origin: 'http://h:31811' },
      tokenFile: 'f',
      from: { origin: 'http://127.0.0.1:9000' },
      fromTokenFile: 'g',
      project: { user: 'alice', name: 'mnist' },
      experiments: [3, 1],
      toProject: { name: 'archive' },
      statePath: 's.json',
      batchSize: 100,
      retryForSeconds: 2.5,
    });
    expect(parsePushArgs(['--to', 'http://h:1', '--token', 't'])).toMatchObject({ token: 't' });
    expect(parsePushArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses what it cannot use, each time naming the option and the rule', () => {
    for (const [args, words] of [
      [[], '--to URL is required'],
      [['--to', 'polyaxon:80'], '--to must start with http'],
      [['--to', 'http://user:secret@h:80'], 'must not hold credentials'],
      [['--to', 'http://h:80/somewhere'], "server's address only"],
      [['--to', 'http://h', '--from', 'nonsense'], '--from must be a URL'],
      [['--to', 'http://h', '--from', 'http://a', '--data', 'd'], '--from and --data exclude each other'],
      [['--to', 'http://h', '--token', 't', '--token-file', 'f'], '--token and --token-file exclude each other'],
      [['--to', 'http://h', '--token', ''], '--token must not be empty'],
      [['--to', 'http://h', '--project', 'a/b/c'], '--project must be `name` or `user/name`'],
      [['--to', 'http://h', '--to-project', '/x'], '--to-project must be'],
      [['--to', 'http://h', '--experiments', '1,x'], '--experiments must be experiment ids'],
      [['--to', 'http://h', '--experiments', '0'], '--experiments must be experiment ids'],
      [['--to', 'http://h', '--batch', '0'], '--batch must be an integer from 1 to 100000'],
      [['--to', 'http://h', '--retry-for', '0'], '--retry-for must be a positive number'],
      [['--to', 'http://h', '--bogus'], 'bogus'],
    ] as const) {
      const parsed = parsePushArgs([...args]);
      expect(parsed.kind, args.join(' ')).toBe('error');
      expect(parsed.kind === 'error' && parsed.message, args.join(' ')).toContain(words);
    }
  });
});

describe('what goes on the wire', () => {
  it('a point keeps its time, written as Python str(datetime) in UTC with the digits it had', () => {
    expect(pythonTime('2020-03-04T10:33:50.123456Z')).toBe('2020-03-04 10:33:50.123456+00:00');
    expect(pythonTime('2020-03-04T10:33:50.120Z')).toBe('2020-03-04 10:33:50.120000+00:00');
    expect(pythonTime('2020-03-04T10:33:50.000000Z')).toBe('2020-03-04 10:33:50+00:00');
    expect(pythonTime('2020-03-04T10:33:50Z')).toBe('2020-03-04 10:33:50+00:00');
    expect(pythonTime('2020-03-04T00:33:50.5+01:00')).toBe('2020-03-03 23:33:50.500000+00:00');
  });

  it('a create is unmanaged and carries only the fields the source has; a code reference only what is set', () => {
    const detail = { id: 3, unique_name: 'u.p.3', name: 'run', description: null, tags: ['a'], params: { lr: 1 }, backend: 'other', framework: undefined };
    expect(createBody(detail)).toEqual({ is_managed: false, name: 'run', tags: ['a'], params: { lr: 1 }, backend: 'other' });
    expect(codeRefBody({ commit: 'abc', branch: 'main', head: null, git_url: '', is_dirty: false })).toEqual({ commit: 'abc', branch: 'main', is_dirty: false });
    expect(codeRefBody({ commit: null, branch: null, head: null, git_url: null, is_dirty: null })).toBeUndefined();
  });
});

describe('token files', () => {
  it('the Polyaxon CLI ~/.polyaxon/.polyaxonauth gives its token, as a one-line file does', async () => {
    const dir = await folder('pxt-push-tokens-');
    await writeFile(join(dir, '.polyaxonauth'), JSON.stringify({ username: 'alice', token: 'from-json' }), { mode: 0o600 });
    await writeFile(join(dir, 'no-token.json'), JSON.stringify({ username: 'alice' }), { mode: 0o600 });
    const read = (file: string) => readTokenSource({ tokenFile: join(dir, file) }, () => undefined, () => {});
    expect(await read('.polyaxonauth')).toEqual({ kind: 'given', token: 'from-json', from: '--token-file' });
    expect(await read('no-token.json')).toMatchObject({ kind: 'error', message: expect.stringContaining('the first line is empty') });
  });
});

describe('waiting between tries', () => {
  const signal = new AbortController().signal;

  it('waits what the server asked, then tries again until done', async () => {
    const answers: Array<Attempt<string>> = [{ kind: 'retry', afterMs: 5, message: '429 throttled' }, { kind: 'done', value: 'ok' }];
    const waits: number[] = [];
    expect(await retrying(async () => answers.shift()!, { retryForMs: 1_000, signal, onWait: (ms) => waits.push(ms) })).toBe('ok');
    expect(waits).toEqual([5]);
  });

  it('gives up once the next wait would pass retryForMs, saying what failed', async () => {
    // The second wait (600 ms after a first one of 600) would pass 1,000 ms: two tries, with 400 ms
    // of slack for a first try delayed by a loaded machine.
    const failing = retrying(async () => ({ kind: 'retry', afterMs: 600, message: '503 unavailable' }), { retryForMs: 1000, signal });
    await expect(failing).rejects.toThrow(/^503 unavailable \(still failing after 2 tries/);
  });

  it('an interrupt ends a wait at once and starts no new try', async () => {
    const controller = new AbortController();
    let tries = 0;
    const waiting = retrying(
      async () => {
        tries += 1;
        return { kind: 'retry', afterMs: 60_000, message: 'down' };
      },
      { retryForMs: 600_000, signal: controller.signal, onWait: () => controller.abort() },
    );
    await expect(waiting).rejects.toEqual(new GaveUp('interrupted', true));
    expect(tries).toBe(1);
  });
});

describe('the record file', () => {
  it('is written whole through a renamed temporary file, mode 0600 in a 0700 folder', async () => {
    const path = join(await folder('pxt-push-state-'), 'push', 'target.json');
    const file = StateFile.open(path, 'http://t:80/api/v1');
    cleanups.push(async () => file.close());
    file.state.experiments['uuid local/p'] = newEntry({ baseUrl: 'http://s:8000/api/v1', project: 'local/p', id: 1 }, 'local/p');
    file.save();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(path, '..'))).mode & 0o777).toBe(0o700);
    expect((await readdir(join(path, '..'))).sort()).toEqual(['target.json', 'target.json.lock']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(file.state);
    file.close();
    expect(await readdir(join(path, '..'))).toEqual(['target.json']);
    const again = StateFile.open(path, 'http://t:80/api/v1');
    expect(again.state.experiments['uuid local/p'].source.id).toBe(1);
    again.close();
    expect(() => StateFile.open(path, 'http://other:80/api/v1')).toThrow(/records pushes to http:\/\/t:80\/api\/v1, not http:\/\/other:80\/api\/v1/);
  });

  it('is held by one push at a time; a lock left by a killed push is taken over', async () => {
    const path = join(await folder('pxt-push-lock-'), 'target.json');
    const first = StateFile.open(path, 'http://t:80/api/v1');
    expect(() => StateFile.open(path, 'http://t:80/api/v1')).toThrow(new RegExp(`another push to this target is running \\(process ${process.pid}\\)`));
    first.close();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeFile(`${path}.lock`, `${gone.pid}\n`);
    const next = StateFile.open(path, 'http://t:80/api/v1');
    expect((await readFile(`${path}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    next.close();
  });
});
