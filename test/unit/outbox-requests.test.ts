import { describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../../src/outbox/records';
import { requestForBatch, whoAmIRequest } from '../../src/outbox/requests';
import { testSettings } from '../helpers/outbox-fixture';
import { testRecord } from '../helpers/store-contract';

const target = { user: 'alice', project: 'mnist', id: 12 };
const base = 'http://127.0.0.1:8000/api/v1';
const batched = (records: OutboxRecord[]) => records.map((record) => ({ ...record, batch: 'key-1' }));

describe('records to requests', () => {
  it('create posts the experiment body to the project', () => {
    const [create] = batched([testRecord(1, 'r', 'create', { target: { project: 'mnist' }, experiment: { is_managed: false, name: 'x' } })]);
    expect(requestForBatch([create], { user: 'alice', project: 'mnist' }, testSettings())).toEqual({
      method: 'POST',
      url: `${base}/alice/mnist/experiments/`,
      body: '{"is_managed":false,"name":"x"}',
      headers: { Accept: 'application/json', Authorization: 'Token secret-token', 'Content-Type': 'application/json', 'Idempotency-Key': 'key-1' },
    });
  });

  it.for([
    { kind: 'patch' as const, body: { name: 'n' }, method: 'PATCH', path: '', sent: '{"name":"n"}' },
    { kind: 'status' as const, body: { status: 'failed', message: 'm' }, method: 'POST', path: 'statuses/', sent: '{"status":"failed","message":"m"}' },
    { kind: 'coderef' as const, body: { commit: 'c', head: 'c', branch: 'main', git_url: null, is_dirty: false }, method: 'POST', path: 'coderef/', sent: '{"commit":"c","head":"c","branch":"main","git_url":null,"is_dirty":false}' },
    { kind: 'coderef' as const, body: null, method: 'POST', path: 'coderef/', sent: undefined },
    { kind: 'stop' as const, body: null, method: 'POST', path: 'stop/', sent: undefined },
  ])('$kind goes as $method .../$path', ({ kind, body, method, path, sent }) => {
    const request = requestForBatch(batched([testRecord(1, 'r', kind, body)]), target, testSettings());
    expect(request.method).toBe(method);
    expect(request.url).toBe(`${base}/alice/mnist/experiments/12/${path}`);
    expect(request.body).toBe(sent);
    expect('Content-Type' in request.headers).toBe(sent !== undefined);
  });

  it('metrics and logs go as one JSON array of the batch, in order', () => {
    const points = batched([testRecord(1, 'r', 'metrics', { values: { a: 1 }, created_at: 't1' }), testRecord(2, 'r', 'metrics', { values: { a: 2 }, created_at: 't2' })]);
    expect(requestForBatch(points, target, testSettings()).body).toBe('[{"values":{"a":1},"created_at":"t1"},{"values":{"a":2},"created_at":"t2"}]');
    const lines = batched([testRecord(1, 'r', 'logs', 'one'), testRecord(2, 'r', 'logs', 'two')]);
    const request = requestForBatch(lines, target, testSettings());
    expect(request.url).toBe(`${base}/alice/mnist/experiments/12/logs/`);
    expect(request.body).toBe('["one","two"]');
  });

  it('builds the same bytes from the same stored records (a retry is identical)', () => {
    const stored = batched([testRecord(1, 'r', 'metrics', { values: { b: 2, a: 1 }, created_at: 't' })]);
    const reloaded = JSON.parse(JSON.stringify(stored)) as OutboxRecord[];
    expect(requestForBatch(reloaded, target, testSettings())).toEqual(requestForBatch(stored, target, testSettings()));
  });

  it("keeps the user's extra headers but never lets them replace ours", () => {
    const settings = testSettings({ headers: { 'X-POLYAXON-INTERNAL': 'runner', AUTHORIZATION: 'Bearer other', 'idempotency-key': 'x' } });
    const request = requestForBatch(batched([testRecord(1, 'r', 'stop', null)]), target, settings);
    expect(request.headers).toEqual({ 'X-POLYAXON-INTERNAL': 'runner', Accept: 'application/json', Authorization: 'Token secret-token', 'Idempotency-Key': 'key-1' });
  });

  it('sends no Authorization without a token, and the configured scheme with one', () => {
    expect(whoAmIRequest(testSettings({ token: undefined })).headers).toEqual({ Accept: 'application/json' });
    expect(whoAmIRequest(testSettings({ authenticationType: 'EphemeralToken' })).headers.Authorization).toBe('EphemeralToken secret-token');
    expect(whoAmIRequest(testSettings()).url).toBe(`${base}/users/`);
  });

  it('refuses a non-create record for a run with no server id', () => {
    expect(() => requestForBatch([testRecord(1, 'r', 'stop', null)], { user: 'a', project: 'p' }, testSettings())).toThrow(/no server id/);
  });
});
