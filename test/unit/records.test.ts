import { describe, expect, it } from 'vitest';
import { anyRecordIdKey, bodyJson, newRecordId, recordIdKey, recordIdSuffixOf, releaseBodies, type OutboxRecord } from '../../src/outbox/records';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRecordId', () => {
  it('has the uuidv7 layout with the time in its first 48 bits', () => {
    const id = newRecordId(Date.UTC(2030, 0, 1));
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBeGreaterThanOrEqual(Date.UTC(2030, 0, 1));
  });

  it('stays unique and sorted past 4096 ids in one millisecond', () => {
    const now = Date.UTC(2031, 0, 1);
    const ids = Array.from({ length: 10_000 }, () => newRecordId(now));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('F22 keeps ids sorted when the clock jumps backwards', () => {
    const first = newRecordId(Date.UTC(2032, 0, 1));
    const afterJump = newRecordId(Date.UTC(2001, 0, 1));
    expect(afterJump > first).toBe(true);
  });
});

describe('anyRecordIdKey', () => {
  it('gives the key of an id of any process, and NaN for a suffix of another form, whatever came before', () => {
    const other = '0190a1b2-c3d4-7abc-8abc-def012345678';
    const key = (0x0190a1b2c3d4 * 4096) + 0xabc;
    expect(anyRecordIdKey(other)).toBe(key);
    // The same suffix again, then ids whose suffix differs only in form (uppercase, a digit short):
    // the suffix checked before does not vouch for them.
    expect(anyRecordIdKey('0190a1b2-c3d4-7abd-8abc-def012345678')).toBe(key + 1);
    expect(anyRecordIdKey('0190a1b2-c3d4-7abd-8abc-DEF012345678')).toBeNaN();
    expect(anyRecordIdKey('0190a1b2-c3d4-7abd-8abc-ef012345678')).toBeNaN();
    expect(anyRecordIdKey('x0190a1b2-c3d4-7abd-8abc-def012345678')).toBeNaN();
    const own = newRecordId(Date.UTC(2032, 0, 1));
    expect(anyRecordIdKey(own)).toBe(recordIdKey(own));
    expect(anyRecordIdKey(other)).toBe(key);
  });

  it('tells the ids of two other processes apart when they come in turns', () => {
    const first = '0190a1b2-c3d4-7abc-8abc-def012345678';
    const second = '0190a1b2-c3d4-7abd-9fff-000000000001';
    const key = (0x0190a1b2c3d4 * 4096) + 0xabc;
    for (let round = 0; round < 3; round++) {
      expect(anyRecordIdKey(first)).toBe(key);
      expect(recordIdSuffixOf(first)).toBe('-8abc-def012345678');
      expect(anyRecordIdKey(second)).toBe(key + 1);
      expect(recordIdSuffixOf(second)).toBe('-9fff-000000000001');
    }
    expect(anyRecordIdKey('0190a1b2-c3d4-7abd-9fff-00000000000g')).toBeNaN();
    expect(recordIdSuffixOf(second)).toBe('-9fff-000000000001');
  });
});

describe('releaseBodies', () => {
  const record = (kind: OutboxRecord['kind'], id: string, body: unknown, json?: string): OutboxRecord => ({ v: 1, id, seq: 0, run: 'r', kind, body, createdAt: 0, bytes: 10, json });

  it('lets the bodies of metrics and logs go, and a later use of them fails loudly instead of sending null', () => {
    const metrics = record('metrics', 'm-1', undefined, '{"values":{"loss":1}}');
    const logs = record('logs', 'l-1', [{ value: 'line' }]);
    const create = record('create', 'c-1', { experiment: { name: 'a' } });
    expect(bodyJson(metrics)).toBe('{"values":{"loss":1}}');
    releaseBodies([metrics, logs, create]);
    expect(metrics.json).toBeUndefined();
    expect(() => bodyJson(metrics)).toThrow(/metrics record m-1 was let go with its request/);
    expect(() => bodyJson(logs)).toThrow(/logs record l-1/);
    // What the ack and the counts read stays; a create keeps its body (a missing project is created from it).
    expect([metrics.id, metrics.run, metrics.kind, metrics.bytes]).toEqual(['m-1', 'r', 'metrics', 10]);
    expect(bodyJson(create)).toBe('{"experiment":{"name":"a"}}');
  });
});
