import { describe, expect, it } from 'vitest';
import { backoffDelayMs, MIN_BACKOFF_MS } from '../../src/outbox/backoff';
import { outcomeForFailure, outcomeForResponse, type Outcome } from '../../src/outbox/policy';
import { MAX_RETRY_AFTER_MS, MIN_RETRY_AFTER_MS, parseRetryAfterMs, retryAfterDelayMs } from '../../src/outbox/retry-after';
import { TransportFailure } from '../../src/outbox/transport';

const NOW = Date.UTC(2024, 5, 1, 8, 0, 0);

function answer(status: number, body?: unknown, headers: Record<string, string> = {}) {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { status, body, headers: { get: (name: string) => lower.get(name.toLowerCase()) ?? null } };
}

const decide = (status: number, options: { body?: unknown; headers?: Record<string, string>; recordCount?: number } = {}): Outcome =>
  outcomeForResponse(answer(status, options.body, options.headers), { recordCount: options.recordCount ?? 3, nowMs: NOW });

describe('status policy as data', () => {
  it.for([200, 201, 204])('%i is ok, with the body', (status) => {
    expect(outcomeForResponse(answer(status, { id: 4 }), { recordCount: 1, nowMs: NOW })).toEqual({ kind: 'ok', body: { id: 4 } });
  });

  it.for([408, 425, 429, 500, 502, 503, 504, 507, 501, 302])('%i is retried', (status) => {
    expect(decide(status).kind).toBe('retry');
  });

  it('a network error and a timeout are retried', () => {
    expect(outcomeForFailure(new TransportFailure('network', 'ECONNREFUSED'))).toEqual({ kind: 'retry', reason: 'network', message: 'ECONNREFUSED' });
    expect(outcomeForFailure(new TransportFailure('timeout', 'slow'))).toMatchObject({ kind: 'retry', reason: 'timeout' });
  });

  it('401 and 403 pause, with the server message', () => {
    expect(decide(401, { body: { detail: 'Invalid token.' } })).toEqual({ kind: 'pause', reason: 'unauthenticated', message: 'Invalid token.' });
    expect(decide(403)).toEqual({ kind: 'pause', reason: 'forbidden', message: 'HTTP 403' });
  });

  it('413 splits a batch and drops a single record as too_large', () => {
    expect(decide(413, { recordCount: 2 })).toEqual({ kind: 'split', reason: 'too_large', message: 'HTTP 413', status: 413 });
    expect(decide(413, { recordCount: 1 })).toMatchObject({ kind: 'drop', reason: 'too_large', status: 413 });
  });

  it.for([400, 405, 409, 422])("other 4xx (%i) drop a single record as rejected with the server's message", (status) => {
    expect(decide(status, { body: { non_field_errors: ['nope'] }, recordCount: 1 })).toEqual({ kind: 'drop', reason: 'rejected', message: 'nope', status });
  });

  it.for([400, 422])('F34 a %i for a batch splits it, so that only the bad record is dropped', (status) => {
    expect(decide(status, { body: { values: ['bad'] }, recordCount: 2 })).toEqual({ kind: 'split', reason: 'rejected', message: 'values: bad', status });
  });

  it('F36 a 404 drops nothing: the project or experiment is missing, the records wait', () => {
    expect(decide(404, { body: { detail: 'Not found.' }, recordCount: 1 })).toEqual({ kind: 'missing', message: 'Not found.', status: 404 });
    expect(decide(404, { recordCount: 200 })).toEqual({ kind: 'missing', message: 'HTTP 404', status: 404 });
  });

  it('F37 507 (the server\'s disk is full) is retried like 503, with its Retry-After', () => {
    expect(decide(507, { body: { detail: 'Insufficient storage.' } })).toEqual({ kind: 'retry', reason: 'throttled', message: 'Insufficient storage.', status: 507 });
    expect(decide(507, { headers: { 'Retry-After': '5' } })).toMatchObject({ kind: 'retry', reason: 'throttled', afterMs: 5_000 });
  });

  it('honours Retry-After on 429 and 503, clamped', () => {
    expect(decide(429, { headers: { 'Retry-After': '7' } })).toMatchObject({ kind: 'retry', reason: 'throttled', afterMs: 7_000 });
    expect(decide(503, { headers: { 'Retry-After': '100000' } })).toMatchObject({ afterMs: MAX_RETRY_AFTER_MS });
    expect(decide(500)).not.toHaveProperty('afterMs');
  });
});

describe('Retry-After parsing (F04)', () => {
  it.for([
    { value: '120', ms: 120_000 },
    { value: ' 2 ', ms: 2_000 },
    { value: '1.5', ms: 1_500 },
    { value: '0', ms: 0 },
    { value: new Date(NOW + 45_000).toUTCString(), ms: 45_000 },
    { value: new Date(NOW - 45_000).toUTCString(), ms: -45_000 },
    { value: 'Wednesday, 01-Jun-24 08:00:10 GMT', ms: 10_000 },
    { value: 'soon', ms: undefined },
    { value: '-3', ms: undefined },
    { value: '', ms: undefined },
    { value: '12abc', ms: undefined },
    { value: null, ms: undefined },
  ])('reads $value as $ms', ({ value, ms }) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(ms);
  });

  it.for([
    { value: '0', ms: MIN_RETRY_AFTER_MS },
    { value: new Date(NOW - 3_600_000).toUTCString(), ms: MIN_RETRY_AFTER_MS },
    { value: '0.01', ms: MIN_RETRY_AFTER_MS },
    { value: '31536000', ms: MAX_RETRY_AFTER_MS },
    { value: 'garbage', ms: undefined },
  ])('clamps $value to $ms', ({ value, ms }) => {
    expect(retryAfterDelayMs(value, NOW)).toBe(ms);
  });

  it('uses the given limits', () => {
    expect(retryAfterDelayMs('0', NOW, { minMs: 50 })).toBe(50);
    expect(retryAfterDelayMs('999', NOW, { maxMs: 10_000 })).toBe(10_000);
  });
});

describe('backoff with full jitter', () => {
  it('draws uniformly below a ceiling that doubles per attempt, up to the cap', () => {
    const at = (attempt: number, draw: number) => backoffDelayMs(attempt, { baseMs: 1_000, maxMs: 60_000, random: () => draw });
    expect([1, 2, 3, 4].map((attempt) => at(attempt, 0.5))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(at(20, 0.999999)).toBeLessThan(60_000);
    expect(at(20, 0.999999)).toBeGreaterThan(59_000);
    expect(at(1000, 0.5)).toBe(30_000);
  });

  it('never gives less than the floor, so an unlucky draw is no tight loop', () => {
    expect(backoffDelayMs(1, { random: () => 0 })).toBe(MIN_BACKOFF_MS);
  });
});
