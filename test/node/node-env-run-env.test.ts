import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLIENT_VERSION } from '../../src/runtime/version';
import { nodeEnvironment } from '../../src/node/environment';
import { collectRunEnv, readPackages } from '../../src/node/run-env';

let root: string;

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'polyaxon-runenv-'));
  // project/ has the manifest; `beta` is hoisted to the parent's node_modules, as workspaces do.
  await writeJson(path.join(root, 'project', 'package.json'), {
    name: 'project',
    dependencies: { alpha: '^1.0.0', 'not-installed': '^2.0.0', '@scope/gamma': '*' },
    devDependencies: { beta: '~3.0.0' },
  });
  await writeJson(path.join(root, 'project', 'node_modules', 'alpha', 'package.json'), { version: '1.4.2' });
  await writeJson(path.join(root, 'project', 'node_modules', '@scope', 'gamma', 'package.json'), { version: '0.0.9' });
  await writeJson(path.join(root, 'node_modules', 'beta', 'package.json'), { version: '3.0.7' });
  await mkdir(path.join(root, 'project', 'src', 'deep'), { recursive: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('run env', () => {
  it('has the Node counterparts of the Python client fields', async () => {
    const runEnv = await collectRunEnv({
      cwd: path.join(root, 'project'),
      argv: ['/usr/bin/node', '/home/u/project/train.js', '--epochs', '3'],
    });
    expect(runEnv).toEqual({
      pid: process.pid,
      hostname: os.hostname(),
      os: `${os.platform()}-${os.release()}-${os.arch()}`,
      system: os.type(),
      node_version: process.versions.node,
      user: os.userInfo().username,
      client_version: CLIENT_VERSION,
      argv: ['/home/u/project/train.js', '--epochs', '3'],
      is_notebook: false,
      filename: 'train.js',
      module_path: '/home/u/project',
      packages: [
        ['@scope/gamma', '0.0.9'],
        ['alpha', '1.4.2'],
        ['beta', '3.0.7'],
        ['not-installed', '^2.0.0'],
      ],
    });
  });

  it('resolves a relative entry script and gives null without one (node -e)', async () => {
    const relative = await collectRunEnv({ cwd: root, argv: ['node', 'scripts/run.mjs'] });
    expect(relative.filename).toBe('run.mjs');
    expect(relative.module_path).toBe(path.resolve('scripts'));
    const inline = await collectRunEnv({ cwd: root, argv: ['node'] });
    expect(inline.filename).toBeNull();
    expect(inline.module_path).toBeNull();
    expect(inline.argv).toEqual([]);
  });

  it('holds no environment variable, and redacts secrets on the command line', async () => {
    const secret = 'zq-unique-secret-value-8731';
    process.env.POLYAXON_TEST_RUN_ENV_SECRET = secret;
    process.env.POLYAXON_TEST_RUN_ENV_PLAIN = 'plain-value-5521';
    try {
      const runEnv = await collectRunEnv({
        cwd: path.join(root, 'project'),
        argv: ['node', 'train.js', `--token=${secret}`, '--password', secret, `https://u:${secret}@host/x`],
      });
      const text = JSON.stringify(runEnv);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('plain-value-5521');
      expect(text).not.toContain('POLYAXON_TEST_RUN_ENV');
      expect(runEnv.argv).toEqual(['train.js', '--token=[redacted]', '--password', '[redacted]', 'https://host/x']);
    } finally {
      delete process.env.POLYAXON_TEST_RUN_ENV_SECRET;
      delete process.env.POLYAXON_TEST_RUN_ENV_PLAIN;
    }
  });

  it('gives null for a field that cannot be read (no passwd entry for the uid)', async () => {
    const userInfo = vi.spyOn(os, 'userInfo').mockImplementation(() => {
      throw Object.assign(new Error('uv_os_get_passwd returned ENOENT'), { code: 'ENOENT' });
    });
    try {
      const runEnv = await collectRunEnv({ cwd: root, argv: ['node', 'x.js'] });
      expect(runEnv.user).toBeNull();
      expect(runEnv.hostname).toBe(os.hostname());
    } finally {
      userInfo.mockRestore();
    }
  });

  it('finds the nearest package.json from a subfolder', async () => {
    expect((await readPackages(path.join(root, 'project', 'src', 'deep'))).map(([name]) => name)).toEqual([
      '@scope/gamma',
      'alpha',
      'beta',
      'not-installed',
    ]);
  });

  it('skips an unreadable package.json and gives [] when there is none', async () => {
    const broken = path.join(root, 'broken', 'inner');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'package.json'), '{ not json');
    await writeJson(path.join(root, 'broken', 'package.json'), { dependencies: { delta: '1.0.0' } });
    expect(await readPackages(broken)).toEqual([['delta', '1.0.0']]);
    expect(await readPackages(path.parse(root).root)).toEqual([]);
  });

  it('the adapter reports this package and its installed dependencies', async () => {
    const runEnv = await nodeEnvironment().runEnv();
    const packages = new Map(runEnv.packages as Array<[string, string]>);
    const installedZod = JSON.parse(
      await (await import('node:fs/promises')).readFile(path.resolve('node_modules/zod/package.json'), 'utf8'),
    ).version;
    expect(packages.get('zod')).toBe(installedZod);
    expect(runEnv.pid).toBe(process.pid);
  });
});
