import type { CliCommand } from './command';
import { readOptions, runParsed, type ParsedArgs } from './command-args';
import type { RecordKind } from '../outbox/records';
import { listQueues, outboxRoot } from '../node/journal-store';
import { formatCount } from './progress';
import { reportQueue, type ExperimentReport, type JournalReport, type QueueReport } from './queue-report';

const USAGE = `Usage: polyaxon-tracking status [options]

Lists what waits in the outbox folder: per queue (one per server), the pending records of each
experiment by kind, the journal files and whether the process that holds each is alive, and the
last error a \`sync\` recorded. Reads only: takes no lock, changes no file, leaves the journals of
running processes to them.

Options:
  --dir DIR   outbox folder (default: POLYAXON_OUTBOX_DIR, else ~/.polyaxon/outbox)
  --json      print one JSON document instead of text
  -h, --help  show this text

The last error is the one the last \`sync\` of that queue recorded; scripts keep theirs in memory
(experiment.stats()), so without a sync it shows as n/a.

Exit codes: 0 listed (pending or not); 2 usage error.`;

export interface StatusOptions {
  dir?: string;
  json: boolean;
}

export function parseStatusArgs(args: string[]): ParsedArgs<StatusOptions> {
  const read = readOptions(args, { dir: { type: 'string' }, json: { type: 'boolean' } });
  if (read.kind === 'error') return read;
  const { values } = read;
  if (values.help) return { kind: 'help' };
  if (values.dir === '') return { kind: 'error', message: '--dir must not be empty' };
  return { kind: 'ok', dir: values.dir, json: values.json ?? false };
}

export interface StatusReport {
  root: string;
  pending: number;
  queues: QueueReport[];
}

export function statusReport(root: string): StatusReport {
  const queues = listQueues(root).map((queue) => reportQueue(queue));
  return { root, pending: queues.reduce((sum, queue) => sum + queue.pending, 0), queues };
}

export function renderStatus(report: StatusReport): string {
  const lines = [`outbox ${report.root}: ${formatCount(report.pending)} pending record(s) in ${report.queues.length} queue(s)`];
  for (const queue of report.queues) lines.push('', ...renderQueue(queue));
  return lines.join('\n');
}

function renderQueue(queue: QueueReport): string[] {
  const server = queue.server ? `server ${queue.server}` : 'server unknown from the name';
  const lines = [`queue ${queue.name ?? '(unnamed)'} (${server})`, `  folder      ${queue.directory}`];
  const live = queue.heldByLiveProcesses > 0 ? ` (${formatCount(queue.heldByLiveProcesses)} held by running processes)` : '';
  lines.push(`  pending     ${formatCount(queue.pending)} record(s)${live}`);
  const error = queue.lastSyncError;
  lines.push(`  last error  ${error ? `${new Date(error.at).toISOString()} ${error.message}` : 'n/a'}`);
  if (queue.experiments.length > 0) lines.push('  experiments');
  for (const experiment of queue.experiments) lines.push(`    ${renderExperiment(experiment)}`);
  if (queue.journals.length > 0) lines.push('  journals');
  for (const journal of queue.journals) lines.push(`    ${renderJournal(journal)}`);
  return lines;
}

function renderExperiment(experiment: ExperimentReport): string {
  const project = experiment.project ? `${experiment.user ? `${experiment.user}/` : ''}${experiment.project}` : 'project unknown';
  const id = experiment.id !== undefined ? `id ${experiment.id}` : 'not created on the server yet';
  const name = experiment.name ? ` "${experiment.name}"` : '';
  const kinds = Object.entries(experiment.byKind)
    .map(([kind, count]) => `${formatCount(count!)} ${kind as RecordKind}`)
    .join(', ');
  const rejected = experiment.rejected ? `; create refused: ${experiment.rejected}` : '';
  const live = experiment.heldByLiveProcess > 0 ? `; ${formatCount(experiment.heldByLiveProcess)} held by a running process` : '';
  return `run ${experiment.run}  ${project}  ${id}${name}: ${formatCount(experiment.pending)} pending (${kinds})${rejected}${live}`;
}

function renderJournal(journal: JournalReport): string {
  const pid = journal.pid ?? '?';
  const owner = journal.live ? `held by live process ${pid}` : `free (process ${pid} is gone or closed it)`;
  const notes = [
    `${formatCount(journal.sizeBytes)} bytes`,
    `${formatCount(journal.pending)} pending`,
    owner,
    ...(journal.format === 'current' ? [] : [`format ${journal.format}`]),
    ...(journal.skippedLines > 0 ? [`${journal.skippedLines} unreadable line(s)`] : []),
    ...(journal.leasedUntil ? [`leased until ${new Date(journal.leasedUntil).toISOString()}`] : []),
    ...(journal.unreadable ? [`unreadable: ${journal.unreadable}`] : []),
  ];
  return `${journal.file}  ${notes.join(', ')}`;
}

export const statusCommand: CliCommand = {
  summary: 'list pending records per server and experiment, journals, last error',
  usage: USAGE,
  run: (args) =>
    runParsed('status', USAGE, parseStatusArgs(args), async (options) => {
      const report = statusReport(outboxRoot(options.dir));
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStatus(report)}\n`);
      return 0;
    }),
};
