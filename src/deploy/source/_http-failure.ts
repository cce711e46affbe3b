// Turns HTTP statuses and network errors into DownloadErrors with short, readable, secret-free reasons.
// Private to deploy/source/.
import { STATUS_CODES } from 'node:http';
import { DownloadError } from './download-error.ts';
import { retryAfterMs, type ResponseHeaders } from './_http-headers.ts';
import type { Redactor } from './redactor.ts';

/** "HTTP 404 Not Found": the form the seed's "Could not download image: <error message>" expects. */
export function statusText(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? `HTTP ${status}` : `HTTP ${status} ${text}`;
}

/**
 * A status that ends an attempt. 408, 429 and 5xx may heal (retryable, Retry-After honoured); any other
 * status is the answer (401 needs headers, 404 a URL fix) and is not retried, as IPA does for 4xx.
 */
export function statusFailure(status: number, headers: ResponseHeaders, method: string, where: string): DownloadError {
  const retryable = status === 408 || status === 429 || status >= 500;
  return new DownloadError('BYOI_DOWNLOAD_FAILED', statusText(status), {
    retryable,
    retryAfterMs: retryable ? retryAfterMs(headers) : null,
    detail: `${method} ${where} answered ${status}`,
  });
}

// Certificate verification failures (OpenSSL X509_V_ERR_* names as Node reports them). They are deterministic:
// retrying only delays the customer's answer by the whole backoff, so they are not retried.
const certificateCodes = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface FailureContext {
  /** host:port, for messages. */
  host: string;
  hostname: string;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  redactor: Redactor;
}

/**
 * A network or protocol error as a DownloadError. `at` is the image offset reached when a body was cut, for the
 * message ("... at byte 1048576").
 */
export function networkFailure(error: unknown, context: FailureContext, at: number | null = null): DownloadError {
  const { code, message } = rootCause(error);
  const where = at === null ? '' : ` at byte ${at}`;
  const reason = (text: string, retryable: boolean): DownloadError =>
    new DownloadError('BYOI_DOWNLOAD_FAILED', context.redactor.redact(text + where), {
      retryable,
      detail: context.redactor.redact(`${code ?? 'error'}: ${message}`),
      cause: error,
    });
  const host = context.host;
  if (code !== undefined && certificateCodes.has(code)) return reason(`TLS certificate of ${host} rejected: ${message}`, false);
  switch (code) {
    case 'ECONNREFUSED':
      return reason(`connection refused by ${host}`, true);
    case 'ECONNRESET':
    case 'EPIPE':
      return reason(`connection reset by ${host}`, true);
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_INFO':
      return reason(`the connection to ${host} closed unexpectedly`, true);
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return reason(`the body from ${host} does not match its Content-Length`, true);
    case 'UND_ERR_BODY_TIMEOUT':
      return reason(`no data received from ${host}`, true);
    case 'ENOTFOUND':
      return reason(`host ${context.hostname} not found (DNS)`, true);
    case 'EAI_AGAIN':
      return reason(`temporary DNS failure for host ${context.hostname}`, true);
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return reason(`connection to ${host} timed out after ${seconds(context.connectTimeoutMs)} s`, true);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return reason(`no response from ${host} within ${seconds(context.headersTimeoutMs)} s`, true);
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return reason(`${host} is unreachable (${code})`, true);
    default:
      break;
  }
  if (code !== undefined && (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_'))) {
    return reason(`TLS connection to ${host} failed: ${message}`, true);
  }
  if (code !== undefined && code.startsWith('HPE_')) return reason(`invalid HTTP response from ${host}: ${message}`, true);
  // Other system errors (E*) are about the network and may heal; anything else is a bug, not retried.
  const retryable = code !== undefined && /^E[A-Z]+$/.test(code);
  return reason(`${message}`, retryable);
}

/** The innermost error that has a code: undici wraps some, and happy eyeballs reports an AggregateError. */
function rootCause(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string' && candidate.code !== 'UND_ERR') {
      return { code: candidate.code, message: String(candidate.message ?? candidate.code) };
    }
    current = Array.isArray(candidate.errors) && candidate.errors.length > 0 ? candidate.errors[0] : candidate.cause;
  }
  return { code: undefined, message: error instanceof Error ? error.message : String(error) };
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
