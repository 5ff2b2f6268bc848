/**
 * OutstandingRecords (what a flush waits for) against the plain model it replaces: a Map of id →
 * append number in insertion order, whose first value is the oldest outstanding record.
 */
import { expect, it } from 'vitest';
import { OutstandingRecords } from '../../src/outbox/outstanding';
import { newRecordId } from '../../src/outbox/records';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function modelOldest(model: Map<string, number>): number {
  const first = model.values().next();
  return first.done ? Infinity : first.value;
}

it('gives the oldest outstanding append number as a Map in insertion order would, whatever order records leave in', () => {
  // Chunks of 64 records: the queue spans many, and drops and reuses them as records leave.
  for (const [seed, chunkSlots] of [[1, 64], [2, 64], [3, 256], [4, undefined], [5, undefined]]) {
    const next = random(seed as number);
    const outstanding = new OutstandingRecords(chunkSlots);
    const model = new Map<string, number>();
    const live: string[] = [];
    let number = 0;
    for (let step = 0; step < 20_000; step++) {
      const roll = next();
      if (roll < 0.5) {
        // Mostly ids of this process in order; now and then one from elsewhere (older, unsorted).
        const id = next() < 0.02 ? `00000000-0000-7000-8000-${String(step).padStart(12, '0')}` : newRecordId(1_700_000_000_000 + step);
        number++;
        outstanding.add(id, number);
        model.set(id, number);
        live.push(id);
      } else if (roll < 0.93 && live.length > 0) {
        // Mostly the oldest first (delivery order), sometimes any of them.
        const index = next() < 0.7 ? 0 : Math.floor(next() * live.length);
        const [id] = live.splice(index, 1);
        outstanding.leave(id);
        model.delete(id);
      } else if (roll < 0.96) {
        outstanding.leave(newRecordId(1_700_000_000_000 + step)); // never appended here: ignored
      } else if (number > 0) {
        const upTo = Math.floor(next() * number);
        outstanding.leaveUpTo(upTo);
        for (const [id, at] of model) {
          if (at > upTo) continue;
          model.delete(id);
          live.splice(live.indexOf(id), 1);
        }
      }
      expect(outstanding.oldest(), `seed ${seed}, step ${step}`).toBe(modelOldest(model));
    }
  }
});

it('a record that left twice, or an id it never held, changes nothing', () => {
  const outstanding = new OutstandingRecords();
  const ids = Array.from({ length: 3 }, (_, i) => newRecordId(1_700_000_000_000 + i));
  ids.forEach((id, i) => outstanding.add(id, i + 1));
  outstanding.leave(ids[1]);
  outstanding.leave(ids[1]);
  outstanding.leave('not-an-id');
  expect(outstanding.oldest()).toBe(1);
  outstanding.leave(ids[0]);
  expect(outstanding.oldest()).toBe(3);
  outstanding.leave(ids[2]);
  expect(outstanding.oldest()).toBe(Infinity);
});
