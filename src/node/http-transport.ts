/**
 * The outbox's transport in Node, on node:http/https, whose sockets never hold the process open.
 *
 * With `fetch` a request in flight keeps a ref'd socket, so a server that accepts the connection
 * and never answers kept a finished script alive for the whole request timeout, and `beforeExit`,
 * where the bounded exit flush starts, never came (F31). Here every socket is unref'd as it is
 * handed to a request (the agent re-refs a reused one first): whoever needs an answer holds the
 * process with a bounded, ref'd wait of its own (`flush()`, `create()`, the exit flush). Only the
 * outbox sends through it; the client's calls, which a script awaits, keep `fetch`.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { describeCause, parseBody, TransportFailure, type Transport, type TransportResponse } from '../outbox/transport';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export function nodeTransport(): Transport {
  return (request) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const secure = url.protocol === 'https:';
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const headers: Record<string, string> = { ...request.headers };
      if (body) headers['Content-Length'] = String(body.length);
      const send = secure ? httpsRequest : httpRequest;
      const outgoing = send(url, { method: request.method, headers, agent: secure ? agents.https : agents.http });
      const timer = setTimeout(() => outgoing.destroy(new TransportFailure('timeout', `no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
      timer.unref();
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        reject(error instanceof TransportFailure ? error : new TransportFailure('network', describeCause(error)));
      };
      outgoing.on('socket', (socket) => socket.unref());
      outgoing.on('error', fail);
      outgoing.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = headerValue(response, 'content-type');
          resolve({ status: response.statusCode ?? 0, headers: { get: (name) => headerValue(response, name) }, body: parseBody(text, contentType) });
        });
      });
      outgoing.end(body);
    });
}

function headerValue(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
