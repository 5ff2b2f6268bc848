import { newRecordId, RECORD_FORMAT_VERSION, type OutboxRecord } from '../../src/outbox/records';
import { metricPoint } from '../../src/wire/metric-point';

/** A metrics record as Outbox.append builds it for `logMetrics`. */
export function metricRecord(seq: number, run: string, values: Record<string, number | null>, at: number): OutboxRecord {
  const { body, bytes } = metricPoint(values, at);
  return { v: RECORD_FORMAT_VERSION, id: newRecordId(at), seq, run, kind: 'metrics', body, createdAt: at, bytes };
}
