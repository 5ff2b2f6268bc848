import { test } from './fixtures';

/** A measured figure: printed with the test's output and kept as an annotation in the report. */
export function reportFigure(description: string): void {
  test.info().annotations.push({ type: 'figure', description });
  console.log(description);
}
