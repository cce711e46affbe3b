import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import {
  agentPaths,
  type AgentEventsBatch,
  type AgentEventsReply,
  type AgentHeartbeatReply,
  type AgentJob,
  type AgentResultBody,
  type AgentResultReply,
} from '../contract/agent/agent-protocol.ts';

/** Why a call to the control plane failed; `retryable` says whether the same call may succeed later. */
export class AgentCallError extends Error {
  /** HTTP status, or 0 when no answer came (refused, reset, timeout). */
  readonly status: number;
  /** The control plane's `class` when it answered with an error body. */
  readonly errorClass: string | null;
  readonly retryable: boolean;

  constructor(message: string, status: number, errorClass: string | null, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AgentCallError';
    this.status = status;
    this.errorClass = errorClass;
    // No answer, a server error or "too many requests": the control plane may be restarting. 401 (token
    // replaced) and 410 (task ended) are final; other 4xx mean this agent sent something wrong.
    this.retryable = status === 0 || status >= 500 || status === 429 || status === 408;
  }

  /** The token is unknown or a newer installer replaced this one. */
  get tokenRefused(): boolean {
    return this.status === 401;
  }

  /** The task takes no more reports (ended, cancelled, or our result is in). */
  get taskEnded(): boolean {
    return this.status === 410;
  }
}

export interface AgentClientOptions {
  /** The control plane's origin, e.g. https://byoi.example.net (a path prefix is kept). */
  control: string;
  token: string;
  /** PEM of a CA to trust besides the system's (the control plane's private or dev CA). */
  ca?: string;
  /** Per-request limit; a call that takes longer fails as retryable. @default 30000 */
  timeoutMs?: number;
}

/** The agent's side of the agent protocol (contract/agent/agent-protocol.ts), one method per call. */
export interface AgentClient {
  getJob(signal?: AbortSignal): Promise<AgentJob>;
  postEvents(batch: AgentEventsBatch, signal?: AbortSignal): Promise<AgentEventsReply>;
  heartbeat(signal?: AbortSignal): Promise<AgentHeartbeatReply>;
  postResult(body: AgentResultBody, signal?: AbortSignal): Promise<AgentResultReply>;
  close(): Promise<void>;
}

/**
 * Makes the HTTP client of one agent run. The token goes in `Authorization: Bearer` only; it never appears
 * in an error message (messages name the call and the status).
 */
export function createAgentClient(options: AgentClientOptions): AgentClient {
  const base = options.control.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dispatcher = new Agent({
    connectTimeout: Math.min(timeoutMs, 10_000),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] },
  });

  async function call<T>(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const what = `${method} ${path}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${base}${path}`, {
        method,
        dispatcher,
        signal: combined,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      const code = (error as { code?: string }).code ?? (error as Error).name;
      throw new AgentCallError(`${what}: no answer from the control plane (${code})`, 0, null, { cause: error });
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new AgentCallError(`${what}: the answer was cut (${(error as Error).name})`, 0, null, { cause: error });
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new AgentCallError(`${what}: the answer is not JSON`, 502, null, { cause: error });
      }
    }
    let errorClass: string | null = null;
    let message = '';
    try {
      const parsed = JSON.parse(text) as { class?: unknown; message?: unknown };
      if (typeof parsed.class === 'string') errorClass = parsed.class;
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // Not our error body (a proxy's page): the status says enough.
    }
    throw new AgentCallError(`${what}: ${response.statusCode}${message === '' ? '' : ` ${message}`}`, response.statusCode, errorClass);
  }

  return {
    getJob: (signal) => call<AgentJob>('GET', agentPaths.job, undefined, signal),
    postEvents: (batch, signal) => call<AgentEventsReply>('POST', agentPaths.events, batch, signal),
    heartbeat: (signal) => call<AgentHeartbeatReply>('POST', agentPaths.heartbeat, {}, signal),
    postResult: (body, signal) => call<AgentResultReply>('POST', agentPaths.result, body, signal),
    close: () => dispatcher.close(),
  };
}
