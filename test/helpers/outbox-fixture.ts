import { Outbox, type OutboxOptions } from '../../src/outbox/outbox';
import { MemoryStore } from '../../src/outbox/memory-store';
import type { ClientSettings } from '../../src/runtime/settings';
import type { OutboxStore } from '../../src/outbox/store';
import { ScriptedTransport } from '../../src/testing';

export const BASE_URL = 'http://127.0.0.1:8000/api/v1';

export function testSettings(overrides: Partial<ClientSettings> = {}): ClientSettings {
  return {
    baseUrl: BASE_URL,
    token: 'secret-token',
    authenticationType: 'Token',
    timeoutMs: 30_000,
    headers: {},
    isManaged: false,
    noOp: false,
    isOffline: false,
    verifySsl: true,
    ...overrides,
  };
}

export interface OutboxFixture {
  outbox: Outbox;
  store: OutboxStore;
  transport: ScriptedTransport;
  settings: ClientSettings;
}

/** An outbox over a MemoryStore and a ScriptedTransport; `settings` may be replaced by the test. */
export function outboxFixture(options: Partial<OutboxOptions> & { store?: OutboxStore } = {}): OutboxFixture {
  const store = options.store ?? new MemoryStore();
  const transport = new ScriptedTransport();
  const fixture: OutboxFixture = { outbox: undefined as unknown as Outbox, store, transport, settings: testSettings() };
  fixture.outbox = new Outbox({
    transport: transport.send,
    random: () => 0.5,
    ...options,
    store,
    settings: () => fixture.settings,
  });
  return fixture;
}

/** A run that already exists on the server as experiment `id` of `u/p`. */
export async function existingRun(outbox: Outbox, run = 'run-1', id = 7): Promise<string> {
  await outbox.setRunTarget(run, { user: 'u', project: 'p', id });
  return run;
}
