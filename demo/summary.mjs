// Prints what the server holds about the demo run, read back through the API.

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
    ['dashboard', `${server.url}/`],
    ['token', server.token],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  console.log('\nWhat the server holds:');
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
}
