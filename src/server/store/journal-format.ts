import * as z from 'zod';
import { rawJsonOf } from '../json/raw-json';
import type { JournalEntry } from '../model';

/**
 * The shape of one line of `journal.jsonl`, the append-only file earlier versions of the server
 * kept instead of a database (format version 1). Used only to import such a file: a line that
 * does not have this shape is skipped and reported, never guessed at.
 */
const id = z.number().int().nonnegative();
const text = z.string();
const nullableText = z.string().nullable();
const json = z.unknown();
// JSON fields are kept as text now (RawJson); journal lines hold them parsed.
const jsonField = json.transform(rawJsonOf);
const dictionaryField = z.record(z.string(), json).nullable().transform(rawJsonOf);

const project = z.object({
  id, uuid: text, user: text, name: text, description: nullableText, readme: nullableText,
  tags: z.array(text), isPublic: z.boolean(), createdAt: text, updatedAt: text,
});

const codeReference = z.object({
  id, commit: nullableText, head: nullableText, branch: nullableText, git_url: nullableText, is_dirty: z.boolean().nullable(),
});

const experiment = z.object({
  id, uuid: text, projectId: id, user: text, createdAt: text, updatedAt: text,
  startedAt: nullableText, finishedAt: nullableText, lastStatus: nullableText,
  lastMetric: dictionaryField,
  codeReference: codeReference.nullable(),
  name: nullableText, description: nullableText, readme: nullableText,
  original_experiment: id.nullable(), content: jsonField, params: dictionaryField,
  backend: nullableText, framework: nullableText, is_managed: z.boolean(),
  run_env: dictionaryField, data_refs: dictionaryField,
  tags: z.array(text).nullable(), ttl: z.number().int().nullable(),
});

const status = z.object({
  id, uuid: text, experiment: id, createdAt: text, status: text, message: nullableText, traceback: nullableText,
});

const metric = z
  .object({ id, uuid: z.string().regex(/^[0-9a-f]{32}$/), experiment: id, createdAt: text, values: z.record(z.string(), json) })
  .transform(({ id, experiment, createdAt, values }) => ({ id, experiment, createdAt, values, valuesJson: JSON.stringify(values) }));

const event = z.discriminatedUnion('type', [
  z.object({ type: z.literal('project.create'), project }),
  z.object({ type: z.literal('project.update'), id, changes: project.partial(), at: text }),
  z.object({ type: z.literal('project.delete'), id }),
  z.object({ type: z.literal('experiment.create'), experiment }),
  z.object({ type: z.literal('experiment.update'), id, changes: experiment.partial(), at: text }),
  z.object({ type: z.literal('experiment.delete'), id }),
  z.object({ type: z.literal('status.create'), status }),
  z.object({ type: z.literal('metrics.create'), experiment: id, metrics: z.array(metric), at: text }),
  z.object({ type: z.literal('logs.append'), experiment: id, lines: z.array(text), at: text }),
  z.object({ type: z.literal('coderef.set'), experiment: id, codeReference, at: text }),
]);

const entry = z.object({
  v: z.literal(1),
  at: text,
  events: z.array(event),
  idempotency: z.object({ user: text, key: text, response: z.object({ status: z.number().int(), body: json }) }).optional(),
});

export type LineOutcome = { kind: 'entry'; entry: JournalEntry } | { kind: 'skipped'; reason: string };

/** Reads one line of the journal (without its line break). */
export function readJournalLine(line: string): LineOutcome {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'skipped', reason: 'not JSON (a write cut short by a crash)' };
  }
  const parsed = entry.safeParse(value);
  if (parsed.success) return { kind: 'entry', entry: parsed.data as unknown as JournalEntry };
  const issue = parsed.error.issues[0];
  return { kind: 'skipped', reason: `not a journal entry: ${issue.path.join('.') || '(line)'}: ${issue.message}` };
}
