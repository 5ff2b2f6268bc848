// Prints what the server holds about the demo run, read back through the API.
import { join } from 'node:path';

export async function printSummary(client, server, project, experiment, delivered) {
  const user = server.user;
  const detail = await client.experiment.get(user, project, experiment.id);
  const points = await client.experiment.getMetrics(user, project, experiment.id, { page: 1 });
  const statuses = await client.experiment.getStatuses(user, project, experiment.id, { page: 1 });
  const stats = experiment.stats()?.outbox;
  const lastMetric = Object.entries(detail.last_metric ?? {})
    .map(([key, value]) => `${key}=${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : value}`)
    .join(' ');
  const rows = [
    ['experiment', `${detail.unique_name} (id ${detail.id})`],
    ['name', detail.name],
    ['status', `${detail.last_status}  (${statuses.results.map((s) => s.status).join(' → ')})`],
    ['metric points', String(points.count)],
    ['last metric', lastMetric],
    ['params', JSON.stringify(detail.params)],
    ['tags', (detail.tags ?? []).join(', ')],
    ['code ref', detail.code_reference ? JSON.stringify(detail.code_reference) : 'none (not a git checkout)'],
    ['queue', `${stats?.sent ?? 0} records sent, ${stats?.pending ?? 0} pending, delivered: ${delivered}`],
    ['server', server.url],
    // The token stays in its file: output like this ends up in CI logs.
    ['token', `in ${join(server.dataDir, 'token')}`],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  console.log('\nWhat the server holds:');
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
}

/**
 * Where to click: the dashboard lists the project's runs and charts a run's metrics when its row is
 * clicked. It logs in from `?token=` (then drops it from the address bar) or asks for the token.
 * `token` is given only for a person at a terminal; piped output (CI logs) never holds it.
 * `dashboardUrl` is the running server's, or the one `npm run serve` gives on its default port.
 */
export function printWhereToLook({ dashboardUrl, token, tokenFile, user, project, run, browserDemoUrl }) {
  console.log('\nWhere to look:');
  if (token) console.log(`  dashboard  ${dashboardUrl}/?token=${encodeURIComponent(token)}`);
  else console.log(`  dashboard  ${dashboardUrl}/  (it asks for the token: the one in ${tokenFile})`);
  console.log(`             under ${user}/${project}, click the row "${run.name}" (id ${run.id}) to chart loss, acc, val_loss, val_acc and the batch metrics`);
  if (browserDemoUrl) console.log(`  browser    ${browserDemoUrl}  press Train: the same model trains in the tab, a second run of ${project}`);
}
