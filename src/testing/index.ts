/**
 * Helpers for testing code that tracks experiments, without a server: an in-memory queue and a
 * transport that answers from a script and records what was sent.
 */
export { MemoryStore } from '../outbox/memory-store';
export { ScriptedTransport } from './scripted-transport';
export type { RecordedRequest, ScriptAnswer, ScriptStep } from './scripted-transport';
export { TransportFailure } from '../outbox/transport';
export type { Transport, TransportRequest, TransportResponse } from '../outbox/transport';
