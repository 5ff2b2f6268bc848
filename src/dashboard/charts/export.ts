import type uPlot from 'uplot';
import type { ProjectRef } from '../api/runs';
import type { XAxis } from '../api/types';
import { safeFileName, saveBlob } from '../ui/download';
import type { ChartLine } from './align';
import { fetchRawSeries } from './series-data';
import { readTheme } from './theme';

const PNG_TITLE_PX = 28;
const PNG_LEGEND_ROW_PX = 18;

/** The chart as drawn (axes included) under its title, with a legend of its runs, on the page's background. */
export function savePng(u: uPlot, title: string, lines: readonly ChartLine[]): void {
  const source = u.ctx.canvas;
  const ratio = source.width / u.width;
  const canvas = document.createElement('canvas');
  const legendPx = lines.length * PNG_LEGEND_ROW_PX + 8;
  canvas.width = source.width;
  canvas.height = source.height + Math.round((PNG_TITLE_PX + legendPx) * ratio);
  const context = canvas.getContext('2d');
  if (!context) return;
  const theme = readTheme();
  context.fillStyle = theme.background;
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.scale(ratio, ratio);
  context.fillStyle = theme.text;
  context.font = '600 14px system-ui, sans-serif';
  context.fillText(title, 8, 19);
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.drawImage(source, 0, Math.round(PNG_TITLE_PX * ratio));
  context.scale(ratio, ratio);
  context.font = '12px system-ui, sans-serif';
  lines.forEach((line, index) => {
    const y = PNG_TITLE_PX + source.height / ratio + 6 + index * PNG_LEGEND_ROW_PX;
    context.fillStyle = line.color;
    context.fillRect(8, y + 3, 12, 4);
    context.fillStyle = theme.text;
    context.fillText(line.label, 26, y + 9);
  });
  canvas.toBlob((blob) => blob && saveBlob(blob, `${safeFileName(title)}.png`), 'image/png');
}

/** A text cell; one a spreadsheet would read as a formula gets a leading quote. */
function csvCell(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

/**
 * Every point (not the downsampled ones the chart draws) of `metric` for each run, in the zoomed
 * range if any, as `run,name,x,value` rows.
 */
export async function saveCsv(project: ProjectRef, metric: string, runs: ReadonlyArray<{ id: number; name: string }>, x: XAxis, range: [number, number] | null): Promise<void> {
  const rows = [`run,name,${x},${csvCell(metric)}`];
  for (const run of runs) {
    const series = await fetchRawSeries({ project, run: run.id, name: metric, x, range });
    for (let index = 0; index < series.x.length; index += 1) {
      rows.push(`${run.id},${csvCell(run.name)},${series.x[index]},${series.y[index] ?? ''}`);
    }
  }
  saveBlob(new Blob([`${rows.join('\n')}\n`], { type: 'text/csv' }), `${safeFileName(metric)}.csv`);
}
