import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { downloadImage } from '../source/download-image.ts';
import type { DigestAlgorithm } from '../source/download-events.ts';
import { DownloadError } from '../source/download-error.ts';
import { ifRangeValidator, type ImageSource, type SourceFacts } from '../source/image-source.ts';
import type { HostRange, RangeRefetcher } from '../decode/qcow2/range-refetcher.ts';

export type { RangeRefetcher } from '../decode/qcow2/range-refetcher.ts';

type FileRange = HostRange;

export interface RangeRefetcherOptions {
  /** The facts of the first pass: size and validator pin the refetch to the same image. */
  facts: SourceFacts;
  /** Digest algorithm of the first pass (a second streaming pass is hashed and compared). */
  algorithm: DigestAlgorithm;
  /** The first pass's digest, once it is known; a second streaming pass must end with the same one. */
  firstPassDigest: () => string | null;
  /** Reported once per readRanges() call. */
  onRefetch?: (how: 'range' | 'stream', ranges: number, bytes: number) => void;
  /** Largest single Range request (neighbouring ranges are merged up to this). @default 8 MiB */
  maxRequestBytes?: number;
}

/** Ranges closer than this are read in one request (the gap is read and dropped). */
const mergeGapBytes = 64 * 1024;

/**
 * The qcow2 decoder's RangeRefetcher for a source: HTTP Range reads (pinned with If-Range) when the source serves ranges, else one
 * more streaming pass over the image that picks the ranges out. A second pass is resumed after cuts like the
 * first, read to the end and hashed: a different digest fails ("the image changed on the server during the
 * download"), so bytes taken from it are trusted only as much as the first pass.
 *
 * @example
 * ```ts
 * const refetch = createRangeRefetcher(source, { facts, algorithm: 'sha256', firstPassDigest: () => digest });
 * for await (const { offset, bytes } of refetch.readRanges([{ offset: 65536, length: 65536 }], signal)) { ... }
 * ```
 */
export function createRangeRefetcher(source: ImageSource, options: RangeRefetcherOptions): RangeRefetcher {
  const maxRequestBytes = options.maxRequestBytes ?? 8 * 1024 * 1024;
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes < 1) {
    throw new RangeError(`Cannot create the range refetcher: maxRequestBytes is ${String(maxRequestBytes)}`);
  }
  const { facts } = options;

  function checked(ranges: readonly FileRange[]): FileRange[] {
    const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
    for (const range of sorted) {
      const inside = Number.isSafeInteger(range.offset) && Number.isSafeInteger(range.length) && range.offset >= 0 && range.length > 0;
      if (!inside || (facts.size !== null && range.offset + range.length > facts.size)) {
        throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size: facts.size ?? 0, needed: range.offset + range.length });
      }
    }
    return sorted;
  }

  async function* byRange(ranges: FileRange[], signal: AbortSignal | undefined): AsyncGenerator<{ offset: number; bytes: Uint8Array }> {
    const ifRange = ifRangeValidator(facts);
    let index = 0;
    while (index < ranges.length) {
      // One request for a run of ranges that are close together, up to maxRequestBytes.
      const first = ranges[index] as FileRange;
      let end = first.offset + first.length;
      let last = index;
      while (last + 1 < ranges.length) {
        const next = ranges[last + 1] as FileRange;
        const nextEnd = Math.max(end, next.offset + next.length);
        if (next.offset - end > mergeGapBytes || nextEnd - first.offset > maxRequestBytes) break;
        end = nextEnd;
        last += 1;
      }
      const bytes = await source.readRange(first.offset, end - first.offset, signal === undefined ? { ifRange } : { ifRange, signal });
      for (let i = index; i <= last; i++) {
        const range = ranges[i] as FileRange;
        yield { offset: range.offset, bytes: bytes.slice(range.offset - first.offset, range.offset - first.offset + range.length) };
      }
      index = last + 1;
    }
  }

  async function* byStream(ranges: FileRange[], signal: AbortSignal | undefined): AsyncGenerator<{ offset: number; bytes: Uint8Array }> {
    const download = downloadImage(source, { algorithm: options.algorithm, facts, ...(signal === undefined ? {} : { signal }) });
    let position = 0;
    let index = 0;
    // The range being gathered, when it spans chunks.
    let pending: { offset: number; bytes: Uint8Array; filled: number } | null = null;
    for await (const chunk of download) {
      const chunkEnd = position + chunk.length;
      while (index < ranges.length) {
        const range = ranges[index] as FileRange;
        if (range.offset >= chunkEnd) break;
        pending ??= { offset: range.offset, bytes: new Uint8Array(range.length), filled: 0 };
        const from = range.offset + pending.filled;
        const take = Math.min(chunkEnd, range.offset + range.length) - from;
        pending.bytes.set(chunk.subarray(from - position, from - position + take), pending.filled);
        pending.filled += take;
        if (pending.filled < range.length) break;
        // Overlapping ranges are served from the same pass: later ones start inside bytes already seen.
        const done: { offset: number; bytes: Uint8Array } = { offset: pending.offset, bytes: pending.bytes };
        pending = null;
        index += 1;
        yield done;
        if (index < ranges.length && (ranges[index] as FileRange).offset < position) {
          throw new RangeError('Cannot refetch overlapping ranges in one streaming pass');
        }
      }
      position = chunkEnd;
    }
    if (index < ranges.length) {
      const range = ranges[index] as FileRange;
      throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size: position, needed: range.offset + range.length });
    }
    const expected = options.firstPassDigest();
    if (expected !== null && download.result.digest.hex !== expected) {
      throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'the image changed on the server during the download', {
        detail: 'the second pass over the image, made to read clusters again, has another digest than the first',
      });
    }
  }

  return {
    readRanges(ranges, signal) {
      const sorted = checked(ranges);
      const total = sorted.reduce((sum, range) => sum + range.length, 0);
      const how = facts.acceptsRanges ? 'range' : 'stream';
      options.onRefetch?.(how, sorted.length, total);
      if (sorted.length === 0) return (async function* () {})();
      return how === 'range' ? byRange(sorted, signal) : byStream(sorted, signal);
    },
  };
}
