// Reading and writing the HTTP header fields the HTTP source cares about. Private to deploy/source/.
import { DownloadError } from './download-error.ts';
import type { BodyFraming } from './image-source.ts';

/** A request header as the user gave it (OVH `httpHeaders`). Its value is a secret: never logged or shown. */
export interface HttpHeader {
  name: string;
  value: string;
}

export type ResponseHeaders = Record<string, string | string[] | undefined>;

// RFC 9110 §5.1: field-name = token.
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: no control characters other than horizontal tab.
const invalidValuePattern = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Header names byoi sets itself: framing and connection headers belong to the HTTP client, Range and If-Range
 * to the resume logic, and Accept-Encoding must stay `identity` so no proxy compresses the image.
 */
const reservedNames = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'range',
  'if-range',
  'accept-encoding',
]);

/**
 * Checks the user's headers before any I/O. Messages name the header, never its value.
 * Throws BYOI_DOWNLOAD_FAILED (not retryable) for a name that is not a token, a value with a line break or
 * control character, or a name byoi manages itself.
 */
export function checkUserHeaders(headers: readonly HttpHeader[]): void {
  if (!Array.isArray(headers)) throw new TypeError('Cannot use headers: expected an array of {name, value}');
  for (const header of headers) {
    if (typeof header?.name !== 'string' || typeof header.value !== 'string') {
      throw new TypeError('Cannot use headers: every header needs a string name and a string value');
    }
    if (!tokenPattern.test(header.name)) {
      throw new DownloadError('BYOI_DOWNLOAD_FAILED', `"${printable(header.name)}" is not a valid HTTP header name`);
    }
    if (invalidValuePattern.test(header.value)) {
      throw new DownloadError('BYOI_DOWNLOAD_FAILED', `the value of HTTP header ${header.name} contains a line break or a control character`);
    }
    if (reservedNames.has(header.name.toLowerCase())) {
      throw new DownloadError('BYOI_DOWNLOAD_FAILED', `HTTP header ${header.name} cannot be set in httpHeaders: byoi sets it itself`);
    }
  }
}

/** First value of a response header, or null. */
export function headerValue(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  if (Array.isArray(value)) return value[0] ?? null;
  return value;
}

/** Content-Length as a safe integer, or null when absent or malformed. */
export function contentLength(headers: ResponseHeaders): number | null {
  const value = headerValue(headers, 'content-length');
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : null;
}

/** How the end of this response's body is known (RFC 9112 §6.3: chunked wins over Content-Length). */
export function bodyFraming(headers: ResponseHeaders): BodyFraming {
  const transferEncoding = headerValue(headers, 'transfer-encoding');
  if (transferEncoding !== null && /(^|,)\s*chunked\s*$/i.test(transferEncoding)) return 'chunked';
  if (contentLength(headers) !== null) return 'length';
  return 'close';
}

export interface ContentRange {
  start: number;
  end: number;
  /** Complete length, or null for `*`. */
  total: number | null;
}

/** Parses `bytes <start>-<end>/<total|*>` (RFC 9110 §14.4); null when it is something else. */
export function parseContentRange(value: string | null): ContentRange | null {
  if (value === null) return null;
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim());
  if (match === null) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === '*' ? null : Number(match[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return null;
  if (total !== null && (!Number.isSafeInteger(total) || end >= total)) return null;
  return { start, end, total };
}

/** The complete length from an unsatisfied-range answer, `bytes *\/<total>` (HTTP 416). */
export function unsatisfiedRangeTotal(value: string | null): number | null {
  if (value === null) return null;
  const match = /^bytes\s+\*\/(\d+)$/i.exec(value.trim());
  if (match === null) return null;
  const total = Number(match[1]);
  return Number.isSafeInteger(total) ? total : null;
}

/** Retry-After (RFC 9110 §10.2.3) as milliseconds from now: delay-seconds or an HTTP date; null if absent or bad. */
export function retryAfterMs(headers: ResponseHeaders, now: number = Date.now()): number | null {
  const value = headerValue(headers, 'retry-after');
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * True when the answer carries a validator of the same kind as the one sent in If-Range and it differs: the
 * representation changed. An answer without that validator cannot tell, so it is not called changed.
 */
export function validatorChanged(headers: ResponseHeaders, sent: string): boolean {
  const isEntityTag = sent.startsWith('"') || sent.startsWith('W/');
  const current = headerValue(headers, isEntityTag ? 'etag' : 'last-modified');
  return current !== null && current !== sent;
}

function printable(text: string): string {
  return text.replace(/[^\u0020-\u007e]/g, '?').slice(0, 64);
}
