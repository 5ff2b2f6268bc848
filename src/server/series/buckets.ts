/**
 * Min/max-per-bucket downsampling (M4): the x range is split into equal buckets; each keeps its
 * first, min-y, max-y and last point, so a chart of the result has the same envelope as a chart
 * of every point (a spike survives) and the first and last point of the range are always there.
 * Points (or whole summarised runs of points) arrive in x order; `order` ranks them in that order
 * and puts each bucket's points back in sequence. A y of NaN is null: skipped for min and max.
 */
export class Buckets {
  readonly #width: number;
  // Per bucket and per kept point (0 first, 1 min, 2 max, 3 last): order, x and y.
  readonly #order: Float64Array;
  readonly #x: Float64Array;
  readonly #y: Float64Array;

  constructor(
    private readonly low: number,
    high: number,
    private readonly count: number,
  ) {
    this.#width = (high - low) / count;
    this.#order = new Float64Array(count * 4).fill(-1);
    this.#x = new Float64Array(count * 4);
    this.#y = new Float64Array(count * 4);
  }

  bucketOf(x: number): number {
    if (!(this.#width > 0)) return 0;
    return Math.max(0, Math.min(this.count - 1, Math.floor((x - this.low) / this.#width)));
  }

  add(order: number, x: number, y: number): void {
    const bucket = this.bucketOf(x);
    if (this.#order[bucket * 4] < 0) this.#set(bucket, 0, order, x, y);
    this.#set(bucket, 3, order, x, y);
    this.#offerExtremes(bucket, order, x, y, order, x, y);
  }

  /** A run of points known to fall in one bucket, given by its first, last, min and max points. */
  addRun(
    first: [number, number, number],
    last: [number, number, number],
    min: [number, number, number] | null,
    max: [number, number, number] | null,
  ): void {
    const bucket = this.bucketOf(first[1]);
    if (this.#order[bucket * 4] < 0) this.#set(bucket, 0, ...first);
    this.#set(bucket, 3, ...last);
    if (min && max) this.#offerExtremes(bucket, ...min, ...max);
  }

  /** The kept points, in order, each once. */
  result(): { x: number[]; y: Array<number | null> } {
    const x: number[] = [];
    const y: Array<number | null> = [];
    for (let bucket = 0; bucket < this.count; bucket += 1) {
      if (this.#order[bucket * 4] < 0) continue;
      const kept = [0, 1, 2, 3]
        .map((slot) => bucket * 4 + slot)
        .filter((at) => this.#order[at] >= 0)
        .sort((a, b) => this.#order[a] - this.#order[b]);
      let previous = -1;
      for (const at of kept) {
        if (this.#order[at] === previous) continue;
        previous = this.#order[at];
        x.push(this.#x[at]);
        y.push(Number.isNaN(this.#y[at]) ? null : this.#y[at]);
      }
    }
    return { x, y };
  }

  #offerExtremes(bucket: number, minOrder: number, minX: number, minY: number, maxOrder: number, maxX: number, maxY: number): void {
    if (Number.isNaN(minY)) return;
    const min = bucket * 4 + 1;
    const max = bucket * 4 + 2;
    if (this.#order[min] < 0 || minY < this.#y[min]) this.#set(bucket, 1, minOrder, minX, minY);
    if (this.#order[max] < 0 || maxY > this.#y[max]) this.#set(bucket, 2, maxOrder, maxX, maxY);
  }

  #set(bucket: number, slot: number, order: number, x: number, y: number): void {
    const at = bucket * 4 + slot;
    this.#order[at] = order;
    this.#x[at] = x;
    this.#y[at] = y;
  }
}
