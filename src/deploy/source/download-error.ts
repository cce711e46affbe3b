import { ByoiError } from '../../contract/errors/byoi-error.ts';

export interface DownloadErrorOptions {
  /** True when trying again may succeed (5xx, 408, 429, reset, stall, DNS). Default false. */
  retryable?: boolean;
  /** Delay the server asked for with Retry-After, in milliseconds. */
  retryAfterMs?: number | null;
  /** A technical sentence for people who debug; never a secret. */
  detail?: string;
  cause?: unknown;
}

/**
 * A catalogue error (BYOI_DOWNLOAD_FAILED or BYOI_DOWNLOAD_TRUNCATED, message "Could not download image:
 * {reason}") that also says whether another attempt may succeed. Sources throw it; `downloadImage()` reads
 * `retryable` to choose between retrying and failing. Its `name` stays `ByoiError`, so callers keep matching on
 * `code` as everywhere else.
 */
export class DownloadError extends ByoiError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;

  constructor(
    code: 'BYOI_DOWNLOAD_FAILED' | 'BYOI_DOWNLOAD_TRUNCATED',
    reason: string,
    options: DownloadErrorOptions = {},
  ) {
    const base: { detail?: string; cause?: unknown } = {};
    if (options.detail !== undefined) base.detail = options.detail;
    if (options.cause !== undefined) base.cause = options.cause;
    super(code, { reason }, base);
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }

  /** The reason alone, without the catalogue's "Could not download image: " prefix. */
  get reason(): string {
    return this.params.reason ?? this.message;
  }
}

/** True for a DownloadError (or any error carrying the same fields) that may succeed when tried again. */
export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** The error every stage throws once the shared AbortSignal fired. The signal's reason is kept as the cause. */
export function cancelledError(signal: AbortSignal): ByoiError {
  return new ByoiError('BYOI_DEPLOY_CANCELLED', {}, { cause: signal.reason });
}
