import { TransportFailure, type Transport, type TransportRequest, type TransportResponse } from '../outbox/transport';

/**
 * A transport for tests: it records every request and answers from a script, so a test states
 * exactly what the server does (statuses, headers, delays, lost connections) and then checks what
 * the outbox sent. Delays use `setTimeout`, so fake timers drive them.
 *
 *   const transport = new ScriptedTransport();
 *   transport.enqueue({ status: 500 }, { status: 200 });
 *   new Outbox({ store: new MemoryStore(), transport: transport.send, settings });
 */
export type ScriptStep =
  | {
      status: number;
      body?: unknown;
      headers?: Record<string, string>;
      /** Answer after this long; at or past the request's timeout it fails with `timeout` instead. */
      delayMs?: number;
    }
  /** No response: a refused or dropped connection (`network`), or a timeout. */
  | { fail: 'network' | 'timeout'; delayMs?: number }
  /** Never answers and ignores the timeout: a broken transport the outbox must still survive. */
  | { hang: true };

export type ScriptAnswer = ScriptStep | ((request: RecordedRequest) => ScriptStep);

export interface RecordedRequest extends TransportRequest {
  /** `Date.now()` when sent (fake time under fake timers). */
  at: number;
  /** The body parsed as JSON, when there was one. */
  json?: unknown;
}

export class ScriptedTransport {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptAnswer[] = [];
  private nextExperimentId = 1;

  /**
   * @param fallback Answer once the script is used up. Default: a well-behaved Polyaxon server:
   * 201 `{id, ...}` for a create, `{username: 'tester'}` for `GET users/`, 200 `{}` otherwise.
   */
  constructor(private readonly fallback: ScriptAnswer = (request) => this.politeAnswer(request)) {}

  /** Answers for the next requests, one each, in order. */
  enqueue(...steps: ScriptAnswer[]): this {
    this.script.push(...steps);
    return this;
  }

  /** The transport function to hand to the outbox. */
  readonly send: Transport = (request) => {
    const recorded: RecordedRequest = { ...request, headers: { ...request.headers }, at: Date.now() };
    if (request.body !== undefined) {
      try {
        recorded.json = JSON.parse(request.body);
      } catch {
        // Not JSON: the test sees the raw body.
      }
    }
    this.requests.push(recorded);
    const answer = this.script.length > 0 ? this.script.shift()! : this.fallback;
    return this.play(typeof answer === 'function' ? answer(recorded) : answer, request);
  };

  /** Requests whose URL contains `part`. */
  requestsTo(part: string): RecordedRequest[] {
    return this.requests.filter((request) => request.url.includes(part));
  }

  private play(step: ScriptStep, request: TransportRequest): Promise<TransportResponse> {
    if ('hang' in step) return new Promise<never>(() => {});
    const delayMs = step.delayMs ?? 0;
    const timesOut = delayMs >= request.timeoutMs;
    return new Promise<TransportResponse>((resolve, reject) => {
      const settle = () => {
        if (timesOut) return reject(new TransportFailure('timeout', `no answer within ${request.timeoutMs} ms`));
        if ('fail' in step) return reject(new TransportFailure(step.fail, `scripted ${step.fail} failure`));
        resolve(response(step.status, step.body, step.headers));
      };
      if (delayMs === 0 && !timesOut) settle();
      else setTimeout(settle, timesOut ? request.timeoutMs : delayMs);
    });
  }

  private politeAnswer(request: RecordedRequest): ScriptStep {
    if (request.method === 'GET' && /\/users\/$/.test(request.url)) return { status: 200, body: { username: 'tester' } };
    if (request.method === 'POST' && /\/experiments\/$/.test(request.url)) {
      return { status: 201, body: { id: this.nextExperimentId++, ...(request.json as object) } };
    }
    return { status: request.method === 'POST' ? 201 : 200, body: {} };
  }
}

function response(status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { status, body, headers: { get: (name) => lower.get(name.toLowerCase()) ?? null } };
}
