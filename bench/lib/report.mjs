/** The report: a table for people, one JSON document for machines (`--json`). */

const COLUMNS = [
  ['bench', (row) => row.bench],
  ['figure', (row) => row.name],
  ['value', (row) => formatValue(row.value)],
  ['unit', (row) => row.unit],
  ['target', (row) => row.target],
  ['result', (row) => passText(row.pass)],
];

const VERDICT_COLUMNS = [
  ['bench', (bench) => bench.name],
  ['target', (bench) => bench.target ?? ''],
  ['result', (bench) => (bench.error ? 'ERROR' : passText(bench.pass))],
  ['seconds', (bench) => bench.seconds.toFixed(0)],
];

export function formatValue(value) {
  if (typeof value !== 'number') return String(value ?? '');
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const passText = (pass) => (pass === null || pass === undefined ? '' : pass ? 'pass' : 'FAIL');

/** Aligned columns; `rightAligned` holds the indexes of numeric columns. */
function renderColumns(columns, rows, rightAligned) {
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)));
  const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const line = (values) => values.map((value, i) => (rightAligned.has(i) ? value.padStart(widths[i]) : value.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map(([title]) => title)), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)];
}

export function renderTable(rows) {
  const out = renderColumns(COLUMNS, rows, new Set([2]));
  const notes = rows.filter((row) => row.note).map((row) => `  ${row.bench} / ${row.name}: ${row.note}`);
  if (notes.length > 0) out.push('', 'Notes:', ...notes);
  return out.join('\n');
}

/** One line per bench: its target and whether every figure with a target met it. */
export function renderVerdicts(benches) {
  return renderColumns(VERDICT_COLUMNS, benches, new Set([3])).join('\n');
}
