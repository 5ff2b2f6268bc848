import { authHeaders } from './client';
import type { LiveMessage } from './types';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10_000;

export interface LiveHandlers {
  onMessage(message: LiveMessage): void;
  /** The stream was lost and is back: whatever happened meanwhile was not heard, so refetch. */
  onReconnect(): void;
  onState(connected: boolean): void;
}

/**
 * Follows `GET {project}/events/` (server-sent events read with fetch, so the token header goes
 * along; EventSource cannot send one). Reconnects with backoff when the stream ends. Returns the
 * function that stops following.
 */
export function followProject(projectPath: string, handlers: LiveHandlers): () => void {
  const controller = new AbortController();
  let retryMs = FIRST_RETRY_MS;
  let everConnected = false;

  const connect = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`/api/v1/${projectPath}/events/`, { headers: authHeaders(), signal: controller.signal, cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        handlers.onState(true);
        if (everConnected) handlers.onReconnect();
        everConnected = true;
        retryMs = FIRST_RETRY_MS;
        await readEvents(response.body, handlers.onMessage);
      } catch {
        // Aborted, refused or cut: wait and try again below.
      }
      if (controller.signal.aborted) return;
      handlers.onState(false);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    }
  };
  void connect();
  return () => controller.abort();
}

async function readEvents(body: ReadableStream<Uint8Array>, onMessage: (message: LiveMessage) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const message = parseBlock(block);
      if (message) onMessage(message);
    }
  }
}

function parseBlock(block: string): LiveMessage | undefined {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (!data) return undefined;
  try {
    return { event, data: JSON.parse(data) } as LiveMessage;
  } catch {
    return undefined;
  }
}
