import { Agent, request } from 'undici';

/** A Redfish HTTP failure, classified for the driver's catalogue errors. Never carries the password. */
export class RedfishFailure extends Error {
  readonly kind: 'auth' | 'tls' | 'timeout' | 'unreachable' | 'http' | 'protocol';
  readonly status: number | undefined;
  constructor(kind: RedfishFailure['kind'], message: string, status?: number) {
    super(message);
    this.name = 'RedfishFailure';
    this.kind = kind;
    this.status = status;
  }
}

export interface RedfishResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface RedfishClientOptions {
  /** https://host[:port] */
  address: string;
  user: string;
  password: string;
  auth: 'basic' | 'session';
  /** PEM of the CA (or the BMC's own self-signed certificate) to trust instead of the system store. */
  caCert?: string | undefined;
  /** Skip certificate verification (discouraged; for BMCs whose certificate cannot be obtained). */
  insecure: boolean;
  timeoutMs: number;
}

export interface RedfishClient {
  get(path: string): Promise<RedfishResponse>;
  patch(path: string, body: unknown, headers?: Record<string, string>): Promise<RedfishResponse>;
  post(path: string, body: unknown): Promise<RedfishResponse>;
  /** Ends the session (session auth) and releases connections. */
  close(): Promise<void>;
}

/** TLS verification error codes of Node's tls module that mean "this certificate is not trusted". */
const tlsCodes = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;

/**
 * A small Redfish client (DMTF DSP0266): JSON over HTTPS with Basic auth, or a session created with
 * `POST /redfish/v1/SessionService/Sessions` whose `X-Auth-Token` is sent on later calls and which is deleted
 * on close. Every call has the same deadline; failures become RedfishFailure with a kind.
 */
export function createRedfishClient(options: RedfishClientOptions): RedfishClient {
  const dispatcher = new Agent({
    connect: { ca: options.caCert, rejectUnauthorized: !options.insecure, timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  let sessionToken: string | undefined;
  let sessionPath: string | undefined;

  async function send(method: 'GET' | 'PATCH' | 'POST' | 'DELETE', path: string, body?: unknown, extra: Record<string, string> = {}, authenticate = true): Promise<RedfishResponse> {
    const headers: Record<string, string> = { accept: 'application/json', 'odata-version': '4.0', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticate) {
      if (options.auth === 'session') {
        sessionToken ??= await openSession();
        headers['x-auth-token'] = sessionToken;
      } else {
        headers.authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
      }
    }
    let response;
    try {
      response = await request(`${options.address}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw classify(error, method, path);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw classify(error, method, path);
    }
    let parsed: Record<string, unknown> = {};
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        if (response.statusCode < 400) throw new RedfishFailure('protocol', `${method} ${path} answered ${response.statusCode} with a body that is not JSON`, response.statusCode);
      }
    }
    if (response.statusCode === 401 || response.statusCode === 403) throw new RedfishFailure('auth', `${method} ${path} answered ${response.statusCode}`, response.statusCode);
    if (response.statusCode >= 400) {
      throw new RedfishFailure('http', `${method} ${path} answered ${response.statusCode}${redfishMessage(parsed)}`, response.statusCode);
    }
    return { status: response.statusCode, headers: response.headers, body: parsed };
  }

  async function openSession(): Promise<string> {
    const created = await send('POST', '/redfish/v1/SessionService/Sessions', { UserName: options.user, Password: options.password }, {}, false);
    const token = header(created.headers, 'x-auth-token');
    if (token === undefined) throw new RedfishFailure('protocol', 'the BMC created a session without an X-Auth-Token header');
    const location = header(created.headers, 'location');
    sessionPath = location === undefined ? (created.body['@odata.id'] as string | undefined) : new URL(location, options.address).pathname;
    return token;
  }

  return {
    get: (path) => send('GET', path),
    patch: (path, body, headers) => send('PATCH', path, body, headers),
    post: (path, body) => send('POST', path, body),
    async close() {
      try {
        if (sessionToken !== undefined && sessionPath !== undefined) await send('DELETE', sessionPath).catch(() => undefined);
      } finally {
        await dispatcher.close();
      }
    },
  };
}

export function header(headers: RedfishResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The first human message of a Redfish error body (`error.@Message.ExtendedInfo[0].Message` or `error.message`). */
function redfishMessage(body: Record<string, unknown>): string {
  const error = body.error as { message?: unknown; '@Message.ExtendedInfo'?: Array<{ Message?: unknown }> } | undefined;
  const message = error?.['@Message.ExtendedInfo']?.[0]?.Message ?? error?.message;
  return typeof message === 'string' ? `: ${message}` : '';
}

function classify(error: unknown, method: string, path: string): RedfishFailure {
  const code = String((error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code ?? '');
  const name = String((error as { name?: unknown }).name ?? '');
  const message = (error as Error).message ?? String(error);
  if (name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code)) return new RedfishFailure('timeout', `${method} ${path}: no answer in time`);
  if (tlsCodes.test(code)) return new RedfishFailure('tls', `${code}: ${message}`);
  return new RedfishFailure('unreachable', code === '' ? message : `${code}: ${message}`);
}
