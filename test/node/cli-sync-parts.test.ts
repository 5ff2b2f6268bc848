/**
 * The parts of `sync` that need no process or server: its arguments, how a queue name gives its
 * server back, and the summary line (its progress bar is test/unit/cli-progress.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DROP_REASONS, type DropReason } from '../../src/outbox/policy';
import { formatDrops } from '../../src/cli/progress';
import { baseUrlOfQueue, describeQueueServer, queueName as storeName } from '../../src/outbox/queue-name';
import { parseSyncArgs, summaryLine } from '../../src/cli/sync';
import type { QueueSyncResult } from '../../src/cli/sync-queue';

const drops = (counts: Partial<Record<DropReason, number>> = {}) =>
  ({ ...Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])), ...counts }) as Record<DropReason, number>;

describe('sync arguments', () => {
  it('reads every option, with the documented defaults', () => {
    expect(parseSyncArgs([])).toEqual({ kind: 'ok', https: false, timeoutSeconds: 60, all: false });
    expect(parseSyncArgs(['--host', 'h', '--port', '8443', '--token', 't', '--https', '--dir', 'd', '--timeout', '2.5', '--all'])).toEqual({
      kind: 'ok', host: 'h', port: 8443, token: 't', https: true, dir: 'd', timeoutSeconds: 2.5, all: true,
    });
    expect(parseSyncArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses malformed values, each naming the option', () => {
    for (const [args, option] of [
      [['--port', '0'], '--port'],
      [['--port', '65536'], '--port'],
      [['--port', '80x'], '--port'],
      [['--timeout', '0'], '--timeout'],
      [['--timeout', '-1'], '--timeout'],
      [['--timeout', 'soon'], '--timeout'],
      [['--timeout', ''], '--timeout'],
      [['--token', ''], '--token'],
      [['--dir', ''], '--dir'],
      [['--bogus'], 'bogus'],
      [['extra'], 'extra'],
    ] as const) {
      const parsed = parseSyncArgs([...args]);
      expect(parsed.kind, args.join(' ')).toBe('error');
      expect(parsed.kind === 'error' && parsed.message, args.join(' ')).toContain(option);
    }
  });
});

describe('queue names back to servers', () => {
  it('gives back the base URL of every queue named after host, port and API version', () => {
    for (const baseUrl of ['http://127.0.0.1:8000/api/v1', 'https://polyaxon.example.com:443/api/v1', 'http://my-host.local:31811/api/v2']) {
      const useHttps = baseUrl.startsWith('https:');
      expect(baseUrlOfQueue(storeName(baseUrl), useHttps)).toBe(baseUrl);
    }
    expect(describeQueueServer('127.0.0.1_8000_api_v1')).toBe('127.0.0.1:8000/api/v1');
  });

  it('the scheme is not in the name: the caller chooses it', () => {
    expect(baseUrlOfQueue(storeName('https://h:8000/api/v1'), false)).toBe('http://h:8000/api/v1');
  });

  it('gives nothing back for names it cannot map to exactly one URL', () => {
    for (const baseUrl of ['http://[::1]:8000/api/v1', 'http://h:8000/prefix/api/v1', 'http://h:0/api/v1', 'http://h:99999/api/v1']) {
      expect(baseUrlOfQueue(storeName(baseUrl), false), baseUrl).toBeUndefined();
    }
    expect(baseUrlOfQueue('named by hand', false)).toBeUndefined();
    expect(describeQueueServer('named by hand')).toBeUndefined();
  });
});

describe('summary', () => {
  it('one summary line: delivered, time, pending, drops, and why records stayed', () => {
    const base: QueueSyncResult = { baseUrl: 'http://h:8000/api/v1', delivered: 100_002, dropped: drops(), pending: 0, heldByLiveProcesses: 0, seconds: 4.2 };
    expect(summaryLine(base)).toBe('delivered 100,002 records to http://h:8000/api/v1 in 4.20 s; 0 pending; dropped: none');
    expect(summaryLine({ ...base, dropped: drops({ rejected: 2, run_rejected: 3 }), lastError: '404: Project not found.' })).toBe(
      'delivered 100,002 records to http://h:8000/api/v1 in 4.20 s; 0 pending; dropped: 2 rejected, 3 run_rejected; last error: 404: Project not found.',
    );
    expect(
      summaryLine({ ...base, delivered: 0, pending: 7, heldByLiveProcesses: 3, stopped: { kind: 'paused', status: 403, message: 'Not yours.' } }),
    ).toBe(
      'delivered 0 records to http://h:8000/api/v1 in 4.20 s; 7 pending; dropped: none; 3 held by running processes; sending paused: the server refused the credentials (403: Not yours.)',
    );
    expect(formatDrops({ queue_full: 1 })).toBe('1 queue_full');
  });
});
