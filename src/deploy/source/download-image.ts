import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { createWorkerHash } from '../digest/create-worker-hash.ts';
import { createInlineHash, type RunningHash } from '../digest/running-hash.ts';
import { isByoiError } from '../../contract/errors/byoi-error.ts';
import { DownloadError, cancelledError, isRetryable } from './download-error.ts';
import { emitEvent, type DigestAlgorithm, type DownloadEventListener } from './download-events.ts';
import { ifRangeValidator, type ImageSource, type SourceFacts, type SourceStream } from './image-source.ts';
import { backoffDelayMs, resolveRetryPolicy, sleep, type RetryPolicy } from './retry-policy.ts';

export interface DownloadOptions {
  /** Digest computed on the fly: the user's checksum type, or sha256 when none was given. @default 'sha256' */
  algorithm?: DigestAlgorithm;
  /** Facts from an earlier `source.probe()` (the preflight's); the download probes first without them. */
  facts?: SourceFacts;
  /** Cancels everything: the open request, a backoff wait, and the iteration (BYOI_DEPLOY_CANCELLED). */
  signal?: AbortSignal;
  onEvent?: DownloadEventListener;
  retry?: Partial<RetryPolicy>;
  /** Least time between two `download.progress` events. @default 1000 */
  progressIntervalMs?: number;
  /**
   * Images of at least this many bytes, or of unknown size, are hashed on a worker thread (createWorkerHash());
   * smaller ones on this thread, where starting a worker would cost more than it saves. @default 67108864 (64 MiB)
   */
  workerHashMinBytes?: number;
  /**
   * Bytes gathered from the network's chunks (64 KiB or less) before one is yielded: every yield costs the consumer
   * a trip through its async layers, so fewer, larger chunks cost the JavaScript thread less. @default 1048576 (1 MiB)
   */
  deliveryBytes?: number;
}

export interface DownloadResult {
  /** Bytes delivered, each exactly once. */
  bytes: number;
  /** Digest of exactly the delivered bytes. */
  digest: { algorithm: DigestAlgorithm; hex: string };
  /** Requests for the body (the probe and redirect hops are not counted). */
  requests: number;
  /** Requests answered from the resume offset (HTTP 206). */
  resumes: number;
  /** Requests answered from byte 0 although a resume was asked for; their prefix was verified, not delivered. */
  restarts: number;
  /** Waits after an attempt that delivered no new byte. */
  retries: number;
  seconds: number;
}

/**
 * The image as an in-order, exactly-once byte stream. Iterate it once with `for await`; each chunk is awaited
 * by the consumer before the next is read, so a slow disk slows the network (backpressure). A chunk is lent: it
 * is valid until the consumer asks for the next one (its buffer is then reused), so copy what must be kept. Read
 * `result` after the loop ended.
 */
export interface ImageDownload extends AsyncIterable<Uint8Array> {
  /** The outcome, once the iteration ended without error. Reading it earlier throws a TypeError. */
  readonly result: DownloadResult;
}

const algorithms: readonly DigestAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512'];

/**
 * Streams an image from a source, hashing every byte once, and survives cuts by resuming instead of
 * restarting. The states and transitions are in src/deploy/source/README.md.
 *
 * - A cut (reset, stall, premature end) resumes with `Range: bytes=<next>-` and `If-Range`; the running hash is
 *   kept. A resume answered with the whole image (no Range support, or a changed validator) restarts from
 *   byte 0: the re-sent prefix is hashed again and compared with a copy of the running hash taken at the cut,
 *   and is not delivered again. A different prefix fails: "the image changed on the server during the download".
 * - A body longer than announced, or an image whose size changed, fails (BYOI_DOWNLOAD_FAILED). An end before
 *   the announced size is a cut. When giving up after cuts the error is BYOI_DOWNLOAD_TRUNCATED. A body without
 *   any known length is accepted only when it ended with a chunked terminator.
 * - Failed attempts that bring no new byte wait with exponential backoff and jitter (Retry-After honoured within
 *   a bound), at most `retry.maxAttempts` in a row; cuts after progress resume at once, at most
 *   `retry.maxResumes` times.
 *
 * Options are checked when this is called; nothing is sent before the iteration starts.
 *
 * @example
 * ```ts
 * const download = downloadImage(source, { algorithm: 'sha256', signal, onEvent });
 * for await (const chunk of download) await sink.write(chunk);
 * download.result.digest.hex; // compare with the user's checksum
 * ```
 */
export function downloadImage(source: ImageSource, options: DownloadOptions = {}): ImageDownload {
  const algorithm = options.algorithm ?? 'sha256';
  if (!algorithms.includes(algorithm)) {
    throw new RangeError(`Cannot download the image: algorithm ${String(algorithm)} is not one of ${algorithms.join(', ')}`);
  }
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  if (!Number.isSafeInteger(progressIntervalMs) || progressIntervalMs < 0) {
    throw new RangeError(`Cannot download the image: progressIntervalMs is ${String(progressIntervalMs)}, not a non-negative integer`);
  }
  const workerHashMinBytes = options.workerHashMinBytes ?? 64 * 1024 * 1024;
  if (!Number.isSafeInteger(workerHashMinBytes) || workerHashMinBytes < 0) {
    throw new RangeError(`Cannot download the image: workerHashMinBytes is ${String(workerHashMinBytes)}, not a non-negative integer`);
  }
  const deliveryBytes = options.deliveryBytes ?? 1024 * 1024;
  if (!Number.isSafeInteger(deliveryBytes) || deliveryBytes < 1) {
    throw new RangeError(`Cannot download the image: deliveryBytes is ${String(deliveryBytes)}, not a positive integer`);
  }
  const policy = resolveRetryPolicy(options.retry);
  const { signal, onEvent } = options;
  let result: DownloadResult | null = null;
  let iterated = false;

  async function* run(): AsyncGenerator<Uint8Array, void, undefined> {
    const startedAt = performance.now();
    let ended = false;
    const counters = { requests: 0, resumes: 0, restarts: 0, retries: 0 };
    let hash: RunningHash | null = null;
    // Received bytes not yet yielded and hashed, gathered in a buffer lent by the hash (so hashing them costs no
    // copy); handed on when full, at the end of each body and before a resume (so that a checkpoint covers every
    // byte received before the cut). The consumer has it first, then the hash takes it back.
    let delivery: Uint8Array | null = null;
    let gathered = 0;
    async function* deliver(running: RunningHash): AsyncGenerator<Uint8Array, void, undefined> {
      if (delivery === null || gathered === 0) return;
      const buffer = delivery;
      const length = gathered;
      delivery = null;
      gathered = 0;
      yield buffer.subarray(0, length);
      running.hashLent(buffer, length);
    }
    try {
      if (signal?.aborted) throw cancelledError(signal);
      const facts = options.facts ?? (await source.probe(signal === undefined ? {} : { signal }));
      emitEvent(onEvent, { type: 'download.start', url: facts.finalUrl, total: facts.size, algorithm });

      hash = facts.size !== null && facts.size < workerHashMinBytes
        ? createInlineHash(algorithm, { batchBytes: deliveryBytes })
        : createWorkerHash(algorithm, { batchBytes: deliveryBytes });
      let offset = 0;
      let expectedSize = facts.size;
      let validator = ifRangeValidator(facts);
      let failuresInRow = 0;
      let cuts = 0;
      let lastProgressAt = performance.now();

      for (;;) {
        if (signal?.aborted) throw cancelledError(signal);
        counters.requests += 1;
        emitEvent(onEvent, { type: 'download.request', request: counters.requests, offset });
        const offsetBefore = offset;
        let stream: SourceStream | null = null;
        try {
          stream = await source.openStream(offset, { ...(signal === undefined ? {} : { signal }), ifRange: offset > 0 ? validator : null });

          if (stream.size !== null) {
            if (expectedSize === null) expectedSize = stream.size;
            else if (stream.size !== expectedSize) throw sizeChanged(expectedSize, stream.size);
          }
          // The prefix check of a restart: H(first `offset` bytes) as delivered, to compare with the re-sent ones.
          let prefix: { verify: Hash; expected: Uint8Array } | null = null;
          if (stream.start === 0 && offset > 0) {
            counters.restarts += 1;
            prefix = { verify: createHash(algorithm), expected: await hash.checkpoint() };
            emitEvent(onEvent, { type: 'download.restart', offset, reason: restartReason(stream, offset) });
          } else if (stream.start !== offset) {
            throw new DownloadError('BYOI_DOWNLOAD_FAILED', `the source answered from byte ${stream.start} instead of byte ${offset}`);
          } else if (offset > 0) {
            counters.resumes += 1;
          }
          if (stream.start === 0) validator = ifRangeValidator(stream) ?? validator;

          let position = stream.start;
          for await (const chunk of stream.body) {
            let data = chunk;
            if (prefix !== null) {
              const take = Math.min(data.length, offset - position);
              prefix.verify.update(data.subarray(0, take));
              position += take;
              data = data.subarray(take);
              if (position === offset) {
                if (!sameDigest(prefix.verify.digest(), prefix.expected)) throw changed(`the first ${offset} bytes differ from those already received`);
                prefix = null;
                emitEvent(onEvent, { type: 'download.restart-verified', offset });
              }
              if (data.length === 0) continue;
            }
            if (expectedSize !== null && offset + data.length > expectedSize) {
              throw new DownloadError('BYOI_DOWNLOAD_FAILED', `the server sent more than the ${expectedSize} bytes it announced`);
            }
            offset += data.length;
            position += data.length;
            failuresInRow = 0;
            const now = performance.now();
            if (now - lastProgressAt >= progressIntervalMs) {
              lastProgressAt = now;
              emitEvent(onEvent, { type: 'download.progress', bytes: offset, total: expectedSize });
            }
            if (gathered === 0 && data.length >= deliveryBytes) {
              // Already large (the body joined what it had buffered): hand it on without a copy.
              await hash.update(data);
              yield data;
              continue;
            }
            while (data.length > 0) {
              delivery ??= await hash.lend();
              const take = Math.min(data.length, delivery.length - gathered);
              delivery.set(data.subarray(0, take), gathered);
              gathered += take;
              data = data.subarray(take);
              if (gathered === delivery.length) yield* deliver(hash);
            }
          }
          yield* deliver(hash);

          // The body ended without an error: complete, or a premature end to resume.
          if (expectedSize !== null && offset < expectedSize) {
            throw new DownloadError('BYOI_DOWNLOAD_TRUNCATED', `the server ended the body at byte ${Math.max(position, offset)} of ${expectedSize}`, {
              retryable: true,
            });
          }
          if (prefix !== null) {
            throw new DownloadError('BYOI_DOWNLOAD_TRUNCATED', `the server ended the body at byte ${position}, before the resume offset ${offset}`, {
              retryable: true,
            });
          }
          if (expectedSize === null && stream.framing === 'close') {
            // Without a length or a chunked terminator, a cut looks exactly like the end (Tinkerbell's bug).
            throw new DownloadError(
              'BYOI_DOWNLOAD_TRUNCATED',
              `the server sent ${offset} bytes with neither a length nor a chunked end, so a complete image cannot be told from a cut one`,
            );
          }
          break;
        } catch (error) {
          if (signal?.aborted) throw cancelledError(signal);
          if (!isRetryable(error)) throw error;
          if (hash !== null) yield* deliver(hash);
          const progressed = offset > offsetBefore;
          const reason = reasonOf(error);
          if (progressed) {
            cuts += 1;
            if (cuts > policy.maxResumes) throw giveUp(error, offset, expectedSize, `${policy.maxResumes} resumes used`);
            emitEvent(onEvent, { type: 'download.resume', offset, attempt: cuts, reason });
          } else {
            failuresInRow += 1;
            if (failuresInRow >= policy.maxAttempts) throw giveUp(error, offset, expectedSize, `${failuresInRow} attempts in a row failed`);
            const retryAfterMs = error instanceof DownloadError ? error.retryAfterMs : null;
            const delayMs = backoffDelayMs(policy, failuresInRow, retryAfterMs);
            counters.retries += 1;
            emitEvent(onEvent, { type: 'download.retry', attempt: failuresInRow, maxAttempts: policy.maxAttempts, delayMs, reason, offset });
            await sleep(delayMs, signal);
          }
        } finally {
          stream?.cancel();
        }
      }

      const digest = { algorithm, hex: await hash.digest() };
      const seconds = Math.round(performance.now() - startedAt) / 1000;
      result = { bytes: offset, digest, ...counters, seconds };
      emitEvent(onEvent, { type: 'download.progress', bytes: offset, total: expectedSize });
      ended = true;
      emitEvent(onEvent, { type: 'download.end', ...result });
    } catch (error) {
      ended = true;
      const final = signal?.aborted ? cancelledError(signal) : error;
      if (isByoiError(final)) emitEvent(onEvent, { type: 'download.error', code: final.code, message: final.message });
      throw final;
    } finally {
      hash?.close();
      // The consumer stopped iterating (break, or its own error): the download is cancelled.
      if (!ended) {
        const cancelled = cancelledError(signal ?? AbortSignal.abort());
        emitEvent(onEvent, { type: 'download.error', code: cancelled.code, message: cancelled.message });
      }
    }
  }

  return {
    get result(): DownloadResult {
      if (result === null) throw new TypeError('Cannot read the download result: the download has not ended');
      return result;
    },
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError('Cannot iterate the download twice: it is a one-pass stream');
      iterated = true;
      return run();
    },
  };
}

function restartReason(stream: SourceStream, offset: number): string {
  const why = stream.restartReason === 'validator-changed'
    ? 'the image validator changed on the server (If-Range)'
    : 'the server does not resume (no Range support)';
  return `${why}: the first ${offset} bytes are read again and compared`;
}

function changed(detail: string): DownloadError {
  return new DownloadError('BYOI_DOWNLOAD_FAILED', 'the image changed on the server during the download', { detail });
}

function sizeChanged(expected: number, announced: number): DownloadError {
  return new DownloadError('BYOI_DOWNLOAD_FAILED', `the image size changed on the server from ${expected} to ${announced} bytes`);
}

/** The last reason, as the final error: TRUNCATED when the image is known to be incomplete, FAILED otherwise. */
function giveUp(error: unknown, offset: number, expectedSize: number | null, why: string): DownloadError {
  const reason = reasonOf(error);
  const truncated = expectedSize !== null && offset > 0 && offset < expectedSize;
  const detail = `gave up at byte ${offset}${expectedSize === null ? '' : ` of ${expectedSize}`}: ${why}`;
  return new DownloadError(truncated ? 'BYOI_DOWNLOAD_TRUNCATED' : 'BYOI_DOWNLOAD_FAILED', reason, { detail, cause: error });
}

function reasonOf(error: unknown): string {
  if (error instanceof DownloadError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
