import type { ReadAt } from '../../image/read-at.ts';
import { checkRange } from '../../image/read-at.ts';
import { DownloadError } from './download-error.ts';
import { ifRangeValidator, type ImageSource, type SourceFacts } from './image-source.ts';

/**
 * The `ReadAt` view of a source that image/ readers need for the preflight (sniff the first MiB, read a qcow2
 * header, a GPT). Reads are pinned to the probed representation with If-Range, so a change fails instead of
 * mixing two versions of the image.
 *
 * Throws BYOI_DOWNLOAD_FAILED when the probe did not learn the size: readers need it to check their ranges.
 *
 * @example
 * ```ts
 * const facts = await source.probe({ signal });
 * const image = sourceReadAt(source, facts, signal);
 * const header = await image.readAt(0, 512);
 * ```
 */
export function sourceReadAt(source: ImageSource, facts: SourceFacts, signal?: AbortSignal): ReadAt {
  const size = facts.size;
  if (size === null) {
    throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'the server does not announce the image size, which the preflight needs');
  }
  const ifRange = ifRangeValidator(facts);
  return {
    size,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, 'image');
      return source.readRange(offset, length, signal === undefined ? { ifRange } : { ifRange, signal });
    },
  };
}
