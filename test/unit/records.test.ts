import { describe, expect, it } from 'vitest';
import { newRecordId } from '../../src/outbox/records';

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
