import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeFixture, type FixtureResult } from '../helpers/run-node-fixture';

const FIXTURE = path.resolve(__dirname, '../fixtures/node-env-lifecycle.ts');

interface ChildResult extends FixtureResult {
  marker: string[];
}

let root: string;
let runs = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'polyaxon-lifecycle-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function runFixture(scenario: string, mode: 'with' | 'without'): Promise<ChildResult> {
  runs += 1;
  const marker = path.join(root, `marker-${runs}.txt`);
  const result = await runNodeFixture(FIXTURE, [scenario, mode, marker]);
  const text = await readFile(marker, 'utf8').catch(() => '');
  return { ...result, marker: text.split('\n').filter(Boolean) };
}

describe('process lifecycle in a child process', () => {
  it('F17 a script that ends normally runs onExit exactly once and exits promptly', async () => {
    const [withLibrary, without] = await Promise.all([runFixture('end', 'with'), runFixture('end', 'without')]);
    expect(withLibrary.marker).toEqual(['last-line', 'exit-start', 'exit-done']);
    expect(withLibrary.code).toBe(0);
    expect(withLibrary.stderr).toBe('');
    // Promptly means by itself: a timer or socket left holding the loop would keep the child
    // alive until the harness kills it (SIGKILL after 15 s). No clock is compared: under load a
    // prompt exit can take seconds.
    expect(withLibrary.signal).toBeNull();
    expect(without.code).toBe(0);
  });

  it('F17 an exit hook that never settles does not keep the process alive', async () => {
    const result = await runFixture('end-hanging-exit', 'with');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.marker).toEqual(['last-line', 'exit-start']);
  });

  it.each([
    ['throw', 'boom from the fixture'],
    ['throw-later', 'late boom'],
    ['reject', 'rejected from the fixture'],
    ['throw-in-hook', 'boom from the fixture'],
  ])(
    'F18 %s: onCrash sees the error; stderr and exit code are those of the same script without the library',
    async (scenario, message) => {
      const [withLibrary, without] = await Promise.all([runFixture(scenario, 'with'), runFixture(scenario, 'without')]);
      expect(withLibrary.marker.filter((line) => line.startsWith('crash'))).toEqual([`crash ${message}`]);
      expect(withLibrary.marker).not.toContain('exit-start');
      expect(without.marker).not.toContain(`crash ${message}`);
      expect(without.code).not.toBe(0);
      expect(withLibrary.code).toBe(without.code);
      expect(withLibrary.signal).toBe(without.signal);
      expect(withLibrary.stderr).toContain(message);
      expect(withLibrary.stderr).toBe(without.stderr);
      expect(withLibrary.stdout).toBe(without.stdout);
    },
  );

  it('F18 a program that handles uncaught exceptions itself keeps running and is not reported as crashed', async () => {
    const [withLibrary, without] = await Promise.all([runFixture('handled', 'with'), runFixture('handled', 'without')]);
    expect(without.code).toBe(3);
    expect(withLibrary.code).toBe(3);
    expect(withLibrary.stderr).toBe(without.stderr);
    expect(withLibrary.marker).toContain('program handled handled boom');
    expect(withLibrary.marker.some((line) => line.startsWith('crash'))).toBe(false);
    expect(withLibrary.marker.slice(-2)).toEqual(['exit-start', 'exit-done']);
  });
});
