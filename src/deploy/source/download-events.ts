import type { ErrorCode } from '../../contract/errors/catalogue.ts';

/** Hash algorithms a download can compute, as the OVH contract names them (`imageCheckSumType`). */
export type DigestAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';

/**
 * What an image source and `downloadImage()` report through one `onEvent` callback.
 *
 * Order for one download: `download.start`, then any number of `download.request`, `download.redirect`,
 * `download.retry`, `download.resume`, `download.restart`, `download.restart-verified` and
 * `download.progress`, then exactly one of `download.end` or `download.error`.
 *
 * Events never carry header values: URLs are in display form (no userinfo, no query string) and every reason
 * went through the source's redactor. They are plain data, safe to log and to send to the control plane.
 */
export type DownloadEvent =
  | DownloadStartEvent
  | DownloadRequestEvent
  | DownloadRedirectEvent
  | DownloadRetryEvent
  | DownloadResumeEvent
  | DownloadRestartEvent
  | DownloadRestartVerifiedEvent
  | DownloadProgressEvent
  | DownloadEndEvent
  | DownloadErrorEvent;

export interface DownloadStartEvent {
  type: 'download.start';
  /** Display form of the URL or the file path. */
  url: string;
  /** Image size in bytes when the probe knew it. */
  total: number | null;
  algorithm: DigestAlgorithm;
}

/** A request for the image body is about to be sent (before redirects are followed). */
export interface DownloadRequestEvent {
  type: 'download.request';
  /** 1 for the first request of the download, then 2, 3... */
  request: number;
  /** First byte asked for: 0, or the resume offset (sent as `Range: bytes=<offset>-`). */
  offset: number;
}

export interface DownloadRedirectEvent {
  type: 'download.redirect';
  status: number;
  from: string;
  to: string;
  /** True when the target is another origin: the user's headers are then not sent (as curl does). */
  crossOrigin: boolean;
}

/** A request or a body failed without delivering a new byte; the next attempt waits `delayMs`. */
export interface DownloadRetryEvent {
  type: 'download.retry';
  /** 1-based count of failed attempts in a row. */
  attempt: number;
  /** The most attempts in a row before the download fails. */
  maxAttempts: number;
  delayMs: number;
  reason: string;
  /** Where the next request starts. */
  offset: number;
}

/** The body was cut at `offset`; the next request asks for the rest with Range and If-Range. */
export interface DownloadResumeEvent {
  type: 'download.resume';
  offset: number;
  /** 1-based count of resumes in this download. */
  attempt: number;
  reason: string;
}

/**
 * A resume was answered with the whole image (HTTP 200): the first `offset` bytes are read again, hashed into
 * a checkpoint copy and compared with what was already delivered, and are not delivered twice.
 */
export interface DownloadRestartEvent {
  type: 'download.restart';
  offset: number;
  reason: string;
}

/** The re-sent prefix of a restart matched the bytes already delivered; new bytes follow. */
export interface DownloadRestartVerifiedEvent {
  type: 'download.restart-verified';
  offset: number;
}

export interface DownloadProgressEvent {
  type: 'download.progress';
  bytes: number;
  total: number | null;
}

export interface DownloadEndEvent {
  type: 'download.end';
  bytes: number;
  digest: { algorithm: DigestAlgorithm; hex: string };
  requests: number;
  resumes: number;
  restarts: number;
  retries: number;
  seconds: number;
}

export interface DownloadErrorEvent {
  type: 'download.error';
  code: ErrorCode;
  message: string;
}

/** The one callback every source and download reports to. It must not throw; a throw is ignored. */
export type DownloadEventListener = (event: DownloadEvent) => void;

/** Calls the listener if there is one. A listener that throws is ignored: events are advisory. */
export function emitEvent(listener: DownloadEventListener | undefined, event: DownloadEvent): void {
  if (listener === undefined) return;
  try {
    listener(event);
  } catch {
    // A listener's bug must not break a download.
  }
}
