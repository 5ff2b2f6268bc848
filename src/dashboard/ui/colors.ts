/**
 * One colour per run, kept everywhere (table swatch, legend, charts, parallel coordinates): a run
 * takes the first palette slot free when it is selected and keeps it while it stays selected.
 * The palette is Tableau's 10 followed by darker variants, legible on light and dark backgrounds.
 */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#2f5c8a', '#c36a0f', '#b03a3c', '#4a8f8a', '#3d7a35', '#c2a024', '#8a5580', '#d9707b', '#765443', '#8c8580',
];

const slots = new Map<number, number>();

/** Assigns slots for `selected` (in order), freeing those of runs no longer selected. */
export function assignColors(selected: readonly number[]): void {
  const keep = new Set(selected);
  for (const id of [...slots.keys()]) if (!keep.has(id)) slots.delete(id);
  const taken = new Set(slots.values());
  for (const id of selected) {
    if (slots.has(id)) continue;
    let slot = 0;
    while (taken.has(slot) && slot < PALETTE.length) slot += 1;
    slot = slot < PALETTE.length ? slot : slots.size % PALETTE.length;
    slots.set(id, slot);
    taken.add(slot);
  }
}

export function colorOf(id: number): string | undefined {
  const slot = slots.get(id);
  return slot === undefined ? undefined : PALETTE[slot];
}

/** `#rrggbb` with an alpha, for the faint raw line behind a smoothed one. */
export function withAlpha(hex: string, alpha: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}
