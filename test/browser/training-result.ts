import { expect } from './fixtures';
import type { StoredMetric } from './server-data';

/** What the notebook cell and the training worker hand back to the spec. */
export interface TrainingResult {
  error?: string;
  id: number;
  delivered: boolean;
  usedTfjsCallback: boolean;
  backend: string;
  /** `History.history` of the fit: metric name → one value per epoch. */
  history: Record<string, number[]>;
}

/** The epoch points on the server are exactly the fit's epochs, steps 0..n-1, with TF.js's values. */
export function expectEpochsMatch(metrics: StoredMetric[], history: Record<string, number[]>): void {
  const epochs = history.loss.length;
  expect(metrics.map((point) => point.values.step)).toEqual([...Array(epochs).keys()]);
  for (const [name, values] of Object.entries(history)) {
    values.forEach((value, epoch) => expect(metrics[epoch].values[name]).toBeCloseTo(value, 5));
  }
}
