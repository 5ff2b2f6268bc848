import { afterEach, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { reserveFreePort, tempFolder } from '../helpers/local-server';
import { runNodeFixture } from '../helpers/run-node-fixture';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

it('F09 a script awaiting create() and flush() with the server down gets answers and exits 0', async () => {
  const port = await reserveFreePort();
  const outbox = await tempFolder('pxt-offline-script-');
  folders.push(outbox);
  const result = await runNodeFixture('test/fixtures/offline-script.ts', [String(port), outbox], 30_000);
  expect(result.stderr).not.toMatch(/unsettled|Error/);
  expect(result.stdout).toContain('created id=undefined');
  expect(result.stdout).toContain('flushed false');
  expect(result.code).toBe(0);
}, 40_000);
