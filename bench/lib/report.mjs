/** The report: a table for people, one JSON document for machines (`--json`). */

const COLUMNS = [
  ['bench', (row) => row.bench],
  ['figure', (row) => row.name],
  ['value', (row) => formatValue(row.value)],
  ['unit', (row) => row.unit],
  ['target', (row) => row.target],
  ['result', (row) => (row.pass === null ? '' : row.pass ? 'pass' : 'FAIL')],
];

export function formatValue(value) {
  if (typeof value !== 'number') return String(value ?? '');
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function renderTable(rows) {
  const cells = rows.map((row) => COLUMNS.map(([, cell]) => cell(row)));
  const widths = COLUMNS.map(([title], i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const line = (values) => values.map((value, i) => (i === 2 ? value.padStart(widths[i]) : value.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(COLUMNS.map(([title]) => title)), line(widths.map((width) => '-'.repeat(width)))];
  for (const values of cells) out.push(line(values));
  const notes = rows.filter((row) => row.note).map((row) => `  ${row.bench} / ${row.name}: ${row.note}`);
  if (notes.length > 0) out.push('', 'Notes:', ...notes);
  return out.join('\n');
}
