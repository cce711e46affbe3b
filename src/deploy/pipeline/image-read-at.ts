import { isByoiError } from '../../contract/errors/byoi-error.ts';
import { cachedReadAt } from '../../image/cached-read-at.ts';
import { checkRange, type ReadAt } from '../../image/read-at.ts';
import { DownloadError } from '../source/download-error.ts';
import { ifRangeValidator, type ImageSource, type SourceFacts } from '../source/image-source.ts';
import { sourceReadAt } from '../source/source-read-at.ts';

/** Bytes read from the start of an image whose server does not serve ranges (readRange()'s from-zero fallback). */
export const HEAD_BYTES_WITHOUT_RANGES = 8 * 1024 * 1024;

export interface ImageView {
  /** Positional reads of the image file for the preflight. */
  file: ReadAt;
  /**
   * Bytes that can be read from the start: the whole file (Range requests, or a local file), or only the first
   * HEAD_BYTES_WITHOUT_RANGES (no Range support, or no size): reads past them throw, and inspectImage() lists the
   * checks that need them as unchecked; the verify phase makes them after the write.
   */
  readableBytes: number;
}

/**
 * The preflight's view of the image file: by Range when the source serves ranges and says its size, else the
 * first MiBs read once from byte 0 (the server sends the whole image and the connection is dropped once the
 * head is in). `unknownSize` stands for the size of an image whose server does not announce one.
 */
export async function imageReadAt(
  source: ImageSource,
  facts: SourceFacts,
  signal: AbortSignal | undefined,
  unknownSize: number,
): Promise<ImageView> {
  if (facts.acceptsRanges && facts.size !== null) return { file: cachedReadAt(sourceReadAt(source, facts, signal)), readableBytes: facts.size };
  const ifRange = ifRangeValidator(facts);
  const read = (length: number): Promise<Uint8Array> =>
    source.readRange(0, length, signal === undefined ? { ifRange } : { ifRange, signal });
  let head: Uint8Array;
  const wanted = facts.size === null ? HEAD_BYTES_WITHOUT_RANGES : Math.min(facts.size, HEAD_BYTES_WITHOUT_RANGES);
  try {
    head = wanted === 0 ? new Uint8Array(0) : await read(wanted);
  } catch (error) {
    // An image of unknown size shorter than the head: read exactly what there is.
    const size = isByoiError(error) && error.code === 'BYOI_IMAGE_TRUNCATED' ? Number(error.params.size) : NaN;
    if (facts.size !== null || !Number.isSafeInteger(size) || size <= 0 || size >= wanted) throw error;
    head = await read(size);
  }
  // Readers need a size. A server that does not say it gets the largest the deploy accepts (the disk's): the
  // size is checked while streaming, and the checks that need the real end are left to the verify phase.
  const size = facts.size ?? (head.length < wanted ? head.length : Math.max(head.length, unknownSize));
  return {
    readableBytes: head.length,
    file: {
      size,
      async readAt(offset: number, length: number): Promise<Uint8Array> {
        checkRange(size, offset, length, 'image');
        if (offset + length > head.length) {
          throw new DownloadError(
            'BYOI_DOWNLOAD_FAILED',
            `the server does not support HTTP Range requests, needed to read ${length} bytes at byte ${offset} before the download`,
          );
        }
        return head.subarray(offset, offset + length);
      },
    },
  };
}
