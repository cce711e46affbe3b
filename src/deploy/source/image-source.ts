/**
 * The one contract between where an image comes from (HTTP(S), a local file) and what reads it: the preflight
 * (probe, sniff a few bytes), the one-pass download (`downloadImage()`) and later re-reads of a few clusters.
 *
 * Every method is a single attempt except where said; errors are catalogue errors (`DownloadError` for
 * download failures, with `retryable` set when another attempt may succeed). Nothing a source reports,
 * returns or throws contains a header value, a URL password or a query string.
 */
export interface ImageSource {
  /** Display form of the location, safe for messages: a URL without userinfo and query, or a file path. */
  readonly displayName: string;

  /**
   * Learns what the server says about the image without reading it (HEAD, or a one-byte Range GET when HEAD is
   * refused). Retries transient failures. The facts are remembered: later calls without `ifRange` use their
   * validator.
   */
  probe(options?: { signal?: AbortSignal }): Promise<SourceFacts>;

  /**
   * Returns exactly the bytes [offset, offset + length). Guarded by If-Range (the given validator, else the
   * validator of the last probe): a changed image is an error, never other bytes. Retries transient failures.
   * Reading past the end throws BYOI_IMAGE_TRUNCATED.
   */
  readRange(offset: number, length: number, options?: ReadRangeOptions): Promise<Uint8Array>;

  /**
   * Opens the body from `offset` to the end, in one attempt. The answer may start at byte 0 instead
   * (`restartedFromZero`) when the source cannot or will not resume; the caller decides what to do with the
   * prefix. Use `downloadImage()` rather than this, except to build another consumer.
   */
  openStream(offset: number, options?: OpenStreamOptions): Promise<SourceStream>;

  /** Releases connections and file handles. The source cannot be used afterwards. */
  close(): Promise<void>;
}

/** What a probe learned. */
export interface SourceFacts {
  /** Image size in bytes, or null when the server does not say. */
  size: number | null;
  /** True when the server said it serves byte ranges (Accept-Ranges: bytes, or answered a Range with 206). */
  acceptsRanges: boolean;
  /** Entity tag as sent, quotes and `W/` included, or null. */
  etag: string | null;
  /** Last-Modified as sent (an HTTP date), or null. */
  lastModified: string | null;
  /** Where the image was found after redirects, in display form (no userinfo, no query string). */
  finalUrl: string;
  contentType: string | null;
}

export interface ReadRangeOptions {
  signal?: AbortSignal;
  /** Validator for If-Range; null sends none. Default: the validator of the last probe. */
  ifRange?: string | null;
}

export interface OpenStreamOptions {
  signal?: AbortSignal;
  /** Validator for If-Range on a resume (offset > 0); null sends none. Default: the validator of the last probe. */
  ifRange?: string | null;
}

/** Why a stream opened at a non-zero offset starts at byte 0. */
export type RestartReason =
  /** The server ignores Range (or the resource does not support it) and sent the whole image. */
  | 'ranges-unsupported'
  /** The If-Range validator no longer matches: the server sent the whole current image. */
  | 'validator-changed';

/** How the end of a body is known: a length, a chunked terminator, or the server closing the connection. */
export type BodyFraming = 'length' | 'chunked' | 'close';

export interface SourceStream {
  /** Image offset of the body's first byte: the requested offset, or 0 after a restart. */
  readonly start: number;
  /** True when a non-zero offset was asked for and the body starts at byte 0. */
  readonly restartedFromZero: boolean;
  readonly restartReason: RestartReason | null;
  /** Total image size this answer announces (Content-Length of a 200, Content-Range total of a 206), or null. */
  readonly size: number | null;
  readonly framing: BodyFraming;
  /** Validators of this answer; they identify the representation being streamed. */
  readonly etag: string | null;
  readonly lastModified: string | null;
  /**
   * The bytes, in order, iterable once. A cut, a stall or a reset makes the iteration throw a retryable
   * DownloadError; a clean end returns (check the length yourself when `framing` is `close`). Chunks are never
   * reused by the source: a consumer may keep them.
   */
  readonly body: AsyncIterable<Uint8Array>;
  /** Drops the connection or file handle. Safe to call more than once and after the body ended. */
  cancel(): void;
}

/**
 * The validator to send in If-Range for a representation: a strong ETag, else Last-Modified, else null.
 * RFC 9110 §13.1.5: If-Range must not carry a weak entity tag.
 */
export function ifRangeValidator(facts: { etag: string | null; lastModified: string | null }): string | null {
  if (facts.etag !== null && !facts.etag.startsWith('W/')) return facts.etag;
  return facts.lastModified;
}
