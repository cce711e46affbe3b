import type { DeployEvent } from '../../contract/deploy-events.ts';
import { createRawDecoder } from '../decode/raw-decoder.ts';
import type { StreamDecoder } from '../decode/stream-decoder.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import { createHoldbackDisk, type HoldbackDisk } from '../disk/holdback-disk.ts';
import { createProgressMeter } from '../progress-meter.ts';
import { createImageWriter, type ImageWriter } from '../sink/image-writer.ts';
import { downloadImage, type DownloadResult } from '../source/download-image.ts';
import type { DigestAlgorithm, DownloadEvent } from '../source/download-events.ts';
import type { ImageSource, SourceFacts } from '../source/image-source.ts';
import { deferTailDecoder } from './defer-tail-decoder.ts';
import { HOLDBACK_BYTES, planHoldback } from './plan-holdback.ts';

/** Makes the decoder of a non-raw image (qcow2) over the writer; the pipeline passes the qcow2 decoder here. */
export type DecoderFactory = (writer: ImageWriter) => StreamDecoder | Promise<StreamDecoder>;

export interface WriteImageInput {
  source: ImageSource;
  facts: SourceFacts;
  disk: DiskIO;
  /** Guest size (the file size for raw, the virtual size for qcow2), or null for a raw image of unknown size. */
  guestSize: number | null;
  /** null: raw. */
  decoder: DecoderFactory | null;
  diskReadsZero: boolean;
  algorithm: DigestAlgorithm;
  progressIntervalMs: number;
  signal: AbortSignal | undefined;
  emit: (event: DeployEvent) => void;
  /** Called as soon as the first pass's digest is known (the refetcher's second pass compares with it). */
  onDigest: (hex: string) => void;
}

export interface WrittenImage {
  /** The disk as it will read after the commit: every later phase reads and edits through it. */
  view: HoldbackDisk;
  /** Writes the held-back ranges (innermost last) and syncs. */
  commit(): Promise<void>;
  download: DownloadResult;
  /** Bytes of image data written (zero runs not counted). */
  bytesWritten: number;
  /** Bytes of the guest image: the download size for raw. */
  guestSize: number;
}

/**
 * The write phase: one pass over the image, hashed as it arrives (downloadImage), decoded (raw, or the given
 * decoder) into a batching writer over a holdback view of the disk. The partition-table regions stay in memory
 * (planHoldback()); everything else is on the disk when this returns. Emits write.progress at most every
 * `progressIntervalMs` and a download.notice for each resume, restart and retry.
 */
export async function writeImage(input: WriteImageInput): Promise<WrittenImage> {
  const { disk, emit, signal } = input;
  const holdback = createHoldbackDisk(disk, planHoldback(input.guestSize, disk.size));
  let view: HoldbackDisk = holdback;
  let commit = (): Promise<void> => holdback.commit();
  const writer = createImageWriter(holdback, { diskReadsZero: input.diskReadsZero });

  let decoder: StreamDecoder;
  if (input.decoder !== null) {
    decoder = await input.decoder(writer);
  } else {
    const raw = createRawDecoder(writer, { diskSize: disk.size, diskName: disk.name });
    decoder = input.guestSize !== null
      ? raw
      : deferTailDecoder(raw, {
          tailBytes: HOLDBACK_BYTES,
          diskSize: disk.size,
          diskName: disk.name,
          // The size is known now: hold the tail back in a second layer, committed before the first.
          onTail: async (offset, bytes) => {
            const tail = createHoldbackDisk(holdback, [{ start: offset, length: bytes.length }]);
            await tail.writeAt(offset, bytes);
            view = tail;
            commit = async () => {
              await tail.commit();
              await holdback.commit();
            };
          },
        });
  }

  const meter = createProgressMeter();
  const total = input.facts.size;
  let bytesDownloaded = 0;
  let lastProgress = 0;
  const progress = (): void => {
    const now = performance.now();
    meter.update(bytesDownloaded, now);
    lastProgress = now;
    emit({
      type: 'write.progress',
      bytesDownloaded,
      bytesTotal: total,
      bytesWritten: writer.bytesWritten,
      rate: Math.round(meter.rate()),
      etaSeconds: meter.etaSeconds(total),
    });
  };

  const download = downloadImage(input.source, {
    algorithm: input.algorithm,
    facts: input.facts,
    ...(signal === undefined ? {} : { signal }),
    onEvent: (event) => forwardDownloadEvent(event, emit),
  });
  meter.update(0, performance.now());
  for await (const chunk of download) {
    await decoder.push(chunk);
    bytesDownloaded += chunk.length;
    if (performance.now() - lastProgress >= input.progressIntervalMs) progress();
  }
  input.onDigest(download.result.digest.hex);
  await decoder.end();
  await writer.flush();
  progress();
  return {
    get view() {
      return view;
    },
    commit: () => commit(),
    download: download.result,
    bytesWritten: writer.bytesWritten,
    guestSize: input.guestSize ?? download.result.bytes,
  };
}

/** Resumes, restarts and retries become download.notice events; the rest is the pipeline's business. */
function forwardDownloadEvent(event: DownloadEvent, emit: (event: DeployEvent) => void): void {
  switch (event.type) {
    case 'download.resume':
      emit({ type: 'download.notice', what: 'resume', message: `connection cut at byte ${event.offset} (${event.reason}); resuming from there (resume ${event.attempt})` });
      break;
    case 'download.restart':
      emit({ type: 'download.notice', what: 'restart', message: `restarting from byte 0 at byte ${event.offset}: ${event.reason}` });
      break;
    case 'download.retry':
      emit({
        type: 'download.notice',
        what: 'retry',
        message: `attempt ${event.attempt} of ${event.maxAttempts} failed (${event.reason}); retrying in ${(event.delayMs / 1000).toFixed(1)} s`,
      });
      break;
    default:
      break;
  }
}
