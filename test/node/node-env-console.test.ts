import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeFixture, type FixtureResult } from '../helpers/run-node-fixture';

const FIXTURE = path.resolve(__dirname, '../fixtures/node-env-console.ts');

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'polyaxon-console-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function runFixture(mode: 'with' | 'without'): Promise<FixtureResult & { captured: unknown[] }> {
  const marker = path.join(root, `${mode}.jsonl`);
  const result = await runNodeFixture(FIXTURE, [mode, marker]);
  const text = await readFile(marker, 'utf8').catch(() => '');
  return { ...result, captured: text.split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

describe('console capture in a real process', () => {
  it('leaves stdout and stderr byte-identical and mirrors user lines with their levels', async () => {
    const [withCapture, without] = await Promise.all([runFixture('with'), runFixture('without')]);
    expect(without.code).toBe(0);
    expect(withCapture.code).toBe(0);
    expect(withCapture.stdout).toBe(without.stdout);
    expect(withCapture.stderr).toBe(without.stderr);
    expect(without.stdout).toContain('epoch 1 loss 0.25');
    expect(without.stdout).toContain('[polyaxon-tracking] a library message');
    expect(without.stderr).toContain('multi\nline');

    expect(withCapture.captured).toEqual([
      ['log', 'epoch 1 loss 0.25'],
      ['info', "{ accuracy: 0.9, nested: { labels: [ 'a', 'b' ] } }"],
      ['warn', 'multi\nline'],
      ['error', 'shown with its stack'],
      ['debug', 'debug 42 null undefined'],
    ]);
  });
});
