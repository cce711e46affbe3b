import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import packageJson from '../../../package.json' with { type: 'json' };
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { DownloadError, cancelledError } from './download-error.ts';
import { emitEvent, type DownloadEventListener } from './download-events.ts';
import { displayUrl } from './display-url.ts';
import { createRedactor } from './redactor.ts';
import { resolveRetryPolicy, withRetries, type RetryPolicy } from './retry-policy.ts';
import {
  ifRangeValidator,
  type ImageSource,
  type OpenStreamOptions,
  type ReadRangeOptions,
  type RestartReason,
  type SourceFacts,
  type SourceStream,
} from './image-source.ts';
import {
  bodyFraming,
  checkUserHeaders,
  contentLength,
  headerValue,
  parseContentRange,
  unsatisfiedRangeTotal,
  validatorChanged,
  type HttpHeader,
  type ResponseHeaders,
} from './_http-headers.ts';
import { networkFailure, statusFailure, statusText, type FailureContext } from './_http-failure.ts';
import { unpausedBodyEnd } from './_unpaused-body-end.ts';

export type { HttpHeader } from './_http-headers.ts';

export interface HttpSourceOptions {
  /** The image URL (http or https). Userinfo becomes Basic auth; it and the query string are never shown. */
  url: string | URL;
  /**
   * The user's request headers. Sent only to the origin of `url` (scheme, host and port): a redirect to another
   * origin drops them all, as fetch does and as curl does for credentials since CVE-2022-27774. Never logged.
   */
  headers?: readonly HttpHeader[];
  /**
   * Extra CA certificates (PEM, one or several) trusted in addition to Node's bundled roots, for images served
   * behind a private CA. Certificate verification itself cannot be turned off.
   */
  extraCaPem?: string;
  /** Redirects followed per request. @default 5 */
  maxRedirects?: number;
  /** TCP + TLS connection setup. @default 10000 */
  connectTimeoutMs?: number;
  /** From request sent to response headers received. @default 30000 */
  headersTimeoutMs?: number;
  /** No body byte for this long while one is awaited counts as a cut. @default 60000 */
  stallTimeoutMs?: number;
  /**
   * A non-zero `readRange()` on a server without Range support reads the body from byte 0 and stops once it has
   * the bytes, if they end within this many bytes; further away it fails. @default 8388608 (8 MiB)
   */
  rangeFallbackBytes?: number;
  /** Retries of `probe()` and `readRange()`. `openStream()` is one attempt. */
  retry?: Partial<RetryPolicy>;
  /** @default `byoi/<package version>` */
  userAgent?: string;
  /** Redirect and retry events of probe() and readRange(), and redirects of openStream(). */
  onEvent?: DownloadEventListener;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// Object stores that sign the method (S3 presigned GET URLs) refuse HEAD with 403; some servers lack HEAD.
const headRefusedStatuses = new Set([403, 405, 501]);
const bodyChunkBytes = 1024 * 1024;

/**
 * An ImageSource over HTTP(S), built on an undici Agent.
 *
 * Redirects are followed here rather than by undici's redirect interceptor, so that each hop can be checked:
 * the user's headers go only to the origin the user named (curl drops credentials on a host change too), a
 * downgrade from https to http and a loop are refused with a clear reason, and every hop is an event.
 * Every request starts again from the original URL, so an expired presigned redirect target is renewed.
 *
 * Requests always carry `Accept-Encoding: identity` (a gzipping proxy would change the bytes being hashed) and
 * `User-Agent: byoi/<version>` unless the user's headers name another one.
 *
 * Options are checked before any I/O; a bad URL, header or CA throws BYOI_DOWNLOAD_FAILED at once.
 *
 * @example
 * ```ts
 * const source = createHttpSource({ url: 'https://images.example/debian.qcow2', headers: [{ name: 'Authorization', value: 'Bearer x' }] });
 * const facts = await source.probe(); // { size: 2147483648, acceptsRanges: true, etag: '"abc"', ... }
 * await source.close();
 * ```
 */
export function createHttpSource(options: HttpSourceOptions): ImageSource {
  const target = parseImageUrl(options.url);
  const userHeaders = [...(options.headers ?? [])];
  checkUserHeaders(userHeaders);
  const maxRedirects = integerOption('maxRedirects', options.maxRedirects, 5, 0, 20);
  const connectTimeoutMs = integerOption('connectTimeoutMs', options.connectTimeoutMs, 10_000, 1, 600_000);
  const headersTimeoutMs = integerOption('headersTimeoutMs', options.headersTimeoutMs, 30_000, 1, 3_600_000);
  const stallTimeoutMs = integerOption('stallTimeoutMs', options.stallTimeoutMs, 60_000, 1, 3_600_000);
  const rangeFallbackBytes = integerOption('rangeFallbackBytes', options.rangeFallbackBytes, 8 * 1024 * 1024, 0, 1024 ** 3);
  const policy = resolveRetryPolicy(options.retry);
  const extraCa = options.extraCaPem === undefined ? null : checkCaPem(options.extraCaPem);
  const userAgent = options.userAgent ?? `byoi/${packageJson.version}`;
  const onEvent = options.onEvent;

  // Credentials in the URL become Basic auth, like curl; they are then one of the user's headers.
  const trustedHeaders: string[] = [];
  for (const header of userHeaders) trustedHeaders.push(header.name, header.value);
  const hasHeader = (name: string): boolean => userHeaders.some((h) => h.name.toLowerCase() === name);
  const redactor = createRedactor(userHeaders.map((h) => h.value));
  if (target.username !== '' || target.password !== '') {
    const password = percentDecoded(target.password);
    const basic = `Basic ${Buffer.from(`${percentDecoded(target.username)}:${password}`).toString('base64')}`;
    if (!hasHeader('authorization')) trustedHeaders.push('authorization', basic);
    redactor.add(basic);
    redactor.add(target.password);
    redactor.add(password);
  }
  if (target.search !== '') redactor.add(target.search.slice(1));
  const sendUserAgent = !hasHeader('user-agent');
  const requestTarget = new URL(target.href);
  requestTarget.username = '';
  requestTarget.password = '';
  requestTarget.hash = '';
  const origin = requestTarget.origin;
  const name = displayUrl(requestTarget);

  const agent = new Agent({
    connect: extraCa === null
      ? { timeout: connectTimeoutMs, rejectUnauthorized: true }
      : { timeout: connectTimeoutMs, rejectUnauthorized: true, ca: [...rootCertificates, ...extraCa] },
    headersTimeout: headersTimeoutMs,
    // Stalls are detected per awaited chunk below; undici's body timer has a 1 s resolution.
    bodyTimeout: 0,
  });

  let lastFacts: SourceFacts | null = null;
  let closed = false;
  // A 200 without Content-Length (close-delimited) ends at the probed size, when one was probed.
  const dispatcher = agent.compose(unpausedBodyEnd((status) => (status === 200 ? (lastFacts?.size ?? null) : null)));

  const emitRetry = (offset: number) => (attempt: number, delayMs: number, error: unknown): void =>
    emitEvent(onEvent, {
      type: 'download.retry',
      attempt,
      maxAttempts: policy.maxAttempts,
      delayMs,
      reason: reasonOf(error),
      offset,
    });

  function failureContext(url: URL): FailureContext {
    return { host: url.host, hostname: url.hostname, connectTimeoutMs, headersTimeoutMs, redactor };
  }

  /** Headers for one hop: the user's go only to the origin the user named. */
  function hopHeaders(url: URL, extra: readonly (readonly [string, string])[]): string[] {
    const trusted = url.origin === origin;
    const out: string[] = [];
    if (!trusted || sendUserAgent) out.push('user-agent', userAgent);
    out.push('accept-encoding', 'identity');
    if (trusted) out.push(...trustedHeaders);
    for (const [key, value] of extra) out.push(key, value);
    return out;
  }

  /** One request, following redirects. Returns the final, non-redirect answer. */
  async function send(
    method: 'GET' | 'HEAD',
    extra: readonly (readonly [string, string])[],
    signal: AbortSignal | undefined,
  ): Promise<{ response: Dispatcher.ResponseData; url: URL }> {
    if (closed) throw new TypeError('Cannot use the HTTP source: it is closed');
    let url = requestTarget;
    const visited = new Set([url.href]);
    for (let redirects = 0; ; ) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          dispatcher,
          method,
          headers: hopHeaders(url, extra),
          signal,
          highWaterMark: bodyChunkBytes,
        });
      } catch (error) {
        if (signal?.aborted) throw cancelledError(signal);
        throw networkFailure(error, failureContext(url));
      }
      if (!redirectStatuses.has(response.statusCode)) return { response, url };

      const status = response.statusCode;
      const location = headerValue(response.headers, 'location');
      await discard(response.body);
      const refuse = (reason: string): DownloadError =>
        new DownloadError('BYOI_DOWNLOAD_FAILED', redactor.redact(reason), { detail: `${method} ${displayUrl(url)} answered ${status}` });
      if (location === null) throw refuse(`${statusText(status)} without a Location header`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw refuse(`${statusText(status)} to an invalid URL`);
      }
      next.hash = '';
      if (next.search !== '') redactor.add(next.search.slice(1));
      if (next.password !== '') redactor.add(next.password);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw refuse(`a redirect to an unsupported scheme (${next.protocol}) was refused`);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw refuse(`a redirect from https to http (${displayUrl(next)}) was refused`);
      }
      if (visited.has(next.href)) throw refuse(`redirect loop: ${displayUrl(url)} redirects back to ${displayUrl(next)}`);
      redirects += 1;
      if (redirects > maxRedirects) throw refuse(`too many redirects (more than ${maxRedirects}), the last to ${displayUrl(next)}`);
      visited.add(next.href);
      emitEvent(onEvent, { type: 'download.redirect', status, from: displayUrl(url), to: displayUrl(next), crossOrigin: next.origin !== origin });
      url = next;
    }
  }

  /**
   * The body as an async iterable that turns a stall (no byte for stallTimeoutMs while one is awaited), a reset
   * or a premature close into a retryable DownloadError naming the image offset reached.
   */
  async function* guardedBody(
    body: Dispatcher.ResponseData['body'],
    url: URL,
    start: number,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    let position = start;
    let stalled = false;
    let ended = false;
    const iterator = body[Symbol.asyncIterator]();
    // One timer for the whole body, not one per chunk (16,000 per GiB): when it fires it measures how long the
    // chunk being awaited has been awaited, and sleeps again for the rest. Nothing is awaited while the consumer
    // has the chunk, so a slow disk is never a stall.
    let awaitingSince: number | null = null;
    let timer: NodeJS.Timeout | null = null;
    const checkStall = (): void => {
      timer = null;
      if (awaitingSince === null) return;
      const awaited = performance.now() - awaitingSince;
      if (awaited < stallTimeoutMs) {
        timer = setTimeout(checkStall, Math.ceil(stallTimeoutMs - awaited));
        return;
      }
      stalled = true;
      body.on('error', ignore);
      body.destroy(new Error('stalled'));
    };
    try {
      for (;;) {
        awaitingSince = performance.now();
        timer ??= setTimeout(checkStall, stallTimeoutMs);
        let next: IteratorResult<Buffer>;
        try {
          next = await iterator.next();
        } finally {
          awaitingSince = null;
        }
        if (next.done === true) {
          ended = true;
          return;
        }
        position += next.value.length;
        yield next.value;
      }
    } catch (error) {
      if (signal?.aborted) throw cancelledError(signal);
      if (stalled) {
        throw new DownloadError('BYOI_DOWNLOAD_FAILED', `no data received for ${stallTimeoutMs / 1000} s at byte ${position}`, {
          retryable: true,
          detail: `the body of ${displayUrl(url)} stalled`,
        });
      }
      throw networkFailure(error, failureContext(url), position);
    } finally {
      if (timer !== null) clearTimeout(timer);
      if (!ended) dropBody(body);
    }
  }

  function changedError(url: URL): DownloadError {
    return new DownloadError('BYOI_DOWNLOAD_FAILED', 'the image changed on the server during the download', {
      detail: `the If-Range validator no longer matches ${displayUrl(url)}`,
    });
  }

  async function probeOnce(signal: AbortSignal | undefined): Promise<SourceFacts> {
    const { response, url } = await send('HEAD', [], signal);
    const { statusCode: status, headers } = response;
    await discard(response.body);
    if (status >= 200 && status < 300) {
      const acceptRanges = headerValue(headers, 'accept-ranges');
      return facts(headers, url, contentLength(headers), acceptRanges !== null && /\bbytes\b/i.test(acceptRanges));
    }
    if (headRefusedStatuses.has(status)) return probeWithRangeGet(signal);
    throw statusFailure(status, headers, 'HEAD', displayUrl(url));
  }

  /** HEAD refused: ask for one byte; Content-Range then tells the size without downloading the image. */
  async function probeWithRangeGet(signal: AbortSignal | undefined): Promise<SourceFacts> {
    const { response, url } = await send('GET', [['range', 'bytes=0-0']], signal);
    const { statusCode: status, headers } = response;
    if (status === 206) {
      await discard(response.body);
      const range = parseContentRange(headerValue(headers, 'content-range'));
      return facts(headers, url, range?.total ?? null, true);
    }
    // A 200 is the whole image: drop the connection rather than read it.
    dropBody(response.body);
    if (status === 200) return facts(headers, url, bodyFraming(headers) === 'length' ? contentLength(headers) : null, false);
    if (status === 416) return facts(headers, url, unsatisfiedRangeTotal(headerValue(headers, 'content-range')), true);
    throw statusFailure(status, headers, 'GET', displayUrl(url));
  }

  function facts(headers: ResponseHeaders, url: URL, size: number | null, acceptsRanges: boolean): SourceFacts {
    const found: SourceFacts = {
      size,
      acceptsRanges,
      etag: headerValue(headers, 'etag'),
      lastModified: headerValue(headers, 'last-modified'),
      finalUrl: displayUrl(url),
      contentType: headerValue(headers, 'content-type'),
    };
    lastFacts = found;
    return found;
  }

  function defaultValidator(given: string | null | undefined): string | null {
    if (given !== undefined) return given;
    return lastFacts === null ? null : ifRangeValidator(lastFacts);
  }

  async function readRangeOnce(offset: number, length: number, validator: string | null, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const extra: [string, string][] = [['range', `bytes=${offset}-${offset + length - 1}`]];
    if (validator !== null) extra.push(['if-range', validator]);
    const { response, url } = await send('GET', extra, signal);
    const { statusCode: status, headers, body } = response;
    if (status === 206) {
      const range = parseContentRange(headerValue(headers, 'content-range'));
      if (range === null || range.start !== offset) {
        dropBody(body);
        throw rangeMismatch(offset, range?.start ?? null, url);
      }
      if (validator !== null && validatorChanged(headers, validator)) {
        dropBody(body);
        throw changedError(url);
      }
      if (range.end < offset + length - 1) {
        dropBody(body);
        throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size: range.total ?? range.end + 1, needed: offset + length });
      }
      return collect(guardedBody(body, url, offset, signal), 0, length, url, true);
    }
    if (status === 200) {
      if (validator !== null && validatorChanged(headers, validator)) {
        dropBody(body);
        throw changedError(url);
      }
      if (offset + length > rangeFallbackBytes) {
        dropBody(body);
        throw new DownloadError(
          'BYOI_DOWNLOAD_FAILED',
          `the server does not support HTTP Range requests, needed to read ${length} bytes at byte ${offset}`,
          { detail: `GET ${displayUrl(url)} with Range answered 200` },
        );
      }
      const size = bodyFraming(headers) === 'length' ? contentLength(headers) : null;
      if (size !== null && offset + length > size) {
        dropBody(body);
        throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size, needed: offset + length });
      }
      return collect(guardedBody(body, url, 0, signal), offset, length, url, false);
    }
    if (status === 416) {
      await discard(body);
      const total = unsatisfiedRangeTotal(headerValue(headers, 'content-range'));
      if (total !== null) throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size: total, needed: offset + length });
    } else {
      await discard(body);
    }
    throw statusFailure(status, headers, 'GET', displayUrl(url));
  }

  return {
    displayName: name,

    async probe(probeOptions = {}) {
      return withRetries(() => probeOnce(probeOptions.signal), {
        policy,
        signal: probeOptions.signal,
        onRetry: emitRetry(0),
      });
    },

    async readRange(offset: number, length: number, rangeOptions: ReadRangeOptions = {}) {
      checkOffset('offset', offset);
      checkOffset('length', length);
      if (length === 0) return new Uint8Array(0);
      const validator = defaultValidator(rangeOptions.ifRange);
      return withRetries(() => readRangeOnce(offset, length, validator, rangeOptions.signal), {
        policy,
        signal: rangeOptions.signal,
        onRetry: emitRetry(offset),
      });
    },

    async openStream(offset: number, streamOptions: OpenStreamOptions = {}): Promise<SourceStream> {
      checkOffset('offset', offset);
      const signal = streamOptions.signal;
      const validator = offset > 0 ? defaultValidator(streamOptions.ifRange) : null;
      const extra: [string, string][] = [];
      if (offset > 0) extra.push(['range', `bytes=${offset}-`]);
      if (validator !== null) extra.push(['if-range', validator]);
      const { response, url } = await send('GET', extra, signal);
      const { statusCode: status, headers, body } = response;
      const framing = bodyFraming(headers);
      let start: number;
      let size: number | null;
      let restartReason: RestartReason | null = null;
      if (status === 200) {
        start = 0;
        size = framing === 'length' ? contentLength(headers) : null;
        if (offset > 0) {
          restartReason = validator !== null && validatorChanged(headers, validator) ? 'validator-changed' : 'ranges-unsupported';
        }
      } else if (status === 206 && offset > 0) {
        const range = parseContentRange(headerValue(headers, 'content-range'));
        if (range === null || range.start !== offset) {
          dropBody(body);
          throw rangeMismatch(offset, range?.start ?? null, url);
        }
        // A server that honours Range but ignores If-Range would splice two versions together.
        if (validator !== null && validatorChanged(headers, validator)) {
          dropBody(body);
          throw changedError(url);
        }
        start = offset;
        size = range.total;
      } else {
        await discard(body);
        throw statusFailure(status, headers, 'GET', displayUrl(url));
      }
      return {
        start,
        restartedFromZero: start === 0 && offset > 0,
        restartReason,
        size,
        framing,
        etag: headerValue(headers, 'etag'),
        lastModified: headerValue(headers, 'last-modified'),
        body: guardedBody(body, url, start, signal),
        cancel: () => {
          dropBody(body);
        },
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      await agent.destroy();
    },
  };

  /** Reads `length` bytes after skipping `skip`, then drops the rest of the body. */
  async function collect(body: AsyncGenerator<Uint8Array, void, undefined>, skip: number, length: number, url: URL, partial: boolean): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let seen = 0;
    let filled = 0;
    try {
      for await (const chunk of body) {
        const from = Math.max(0, skip - seen);
        seen += chunk.length;
        if (from >= chunk.length) continue;
        const take = Math.min(chunk.length - from, length - filled);
        out.set(chunk.subarray(from, from + take), filled);
        filled += take;
        if (filled === length) return out;
      }
    } finally {
      await body.return();
    }
    if (partial) {
      throw new DownloadError('BYOI_DOWNLOAD_FAILED', `the range body ended after ${filled} of ${length} bytes`, {
        retryable: true,
        detail: `GET ${displayUrl(url)}`,
      });
    }
    throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size: seen, needed: skip + length });
  }
}

function rangeMismatch(asked: number, got: number | null, url: URL): DownloadError {
  const reason = got === null
    ? `the server answered a Range request from byte ${asked} without a valid Content-Range`
    : `the server answered a Range request from byte ${asked} with bytes from ${got}`;
  return new DownloadError('BYOI_DOWNLOAD_FAILED', reason, { detail: `GET ${displayUrl(url)} answered 206` });
}

/**
 * Drops a body and its connection. undici reports the abort as an 'error' event on the body; without a listener
 * that event would crash the process, and nobody is reading this body any more.
 */
function dropBody(body: Dispatcher.ResponseData['body']): void {
  body.on('error', ignore);
  body.destroy();
}

function ignore(): void {}

/** Reads what is left of a small body (a redirect, an error page) so the connection can be reused. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    // The connection is dropped instead; nothing the caller needs to know.
  }
}

function parseImageUrl(value: string | URL): URL {
  let url: URL;
  try {
    url = typeof value === 'string' ? new URL(value) : new URL(value.href);
  } catch {
    // The text itself may hold credentials: it is not repeated.
    throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'the image URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadError('BYOI_DOWNLOAD_FAILED', `the image URL must use http or https, not ${url.protocol.slice(0, -1)}`);
  }
  return url;
}

/** Splits a PEM bundle and parses each certificate, so a bad CA fails before any connection. */
function checkCaPem(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'the extra CA holds no PEM certificate');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'the extra CA holds a certificate that cannot be parsed');
    }
  }
  return blocks;
}

/** URL userinfo as the user meant it; a malformed escape is kept as typed rather than refused. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function integerOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`Cannot create the HTTP source: ${name} is ${String(value)}, expected an integer from ${min} to ${max}`);
  }
  return value;
}

function checkOffset(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot read the image: ${name} is ${String(value)}, expected a non-negative integer`);
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof DownloadError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}
