import { checkRange, type ReadAt } from './read-at.ts';

export interface CachedReadAtOptions {
  /**
   * Size of a cache block: every underlying read starts and ends on a block boundary (or the end of the image).
   * @default 262144 (256 KiB)
   */
  blockBytes?: number;
  /**
   * Most bytes of blocks kept; the least recently used go first. A read larger than this still works: its
   * blocks are read and returned, and only the most recent ones stay.
   * @default 33554432 (32 MiB)
   */
  maxBytes?: number;
}

/** What the cache asked of the source underneath. */
export interface CachedReadAtStats {
  /** Underlying `readAt()` calls (for an HTTP source: Range requests). */
  reads: number;
  /** Bytes those calls returned. */
  bytesRead: number;
}

export type CachedReadAt = ReadAt & { readonly stats: CachedReadAtStats };

/**
 * A ReadAt that reads its source in aligned blocks and keeps them (least recently used go first), so that the
 * many small reads of the image readers (a sector here, a FAT there, the same GPT header twice) become a few
 * large reads. Adjacent missing blocks of one read are fetched with one underlying read: over HTTP, inspecting
 * an image takes a handful of Range requests instead of hundreds.
 *
 * Returned bytes are the caller's own copy. Reads are checked like every ReadAt: BYOI_IMAGE_TRUNCATED past the
 * end, BYOI_IMAGE_INVALID for a negative or unsafe range; the source's errors pass through and nothing is cached
 * for a failed read.
 *
 * @example
 * ```ts
 * const cached = cachedReadAt(sourceReadAt(source, facts));
 * await cached.readAt(0, 512);   // one Range request for bytes 0-262143
 * await cached.readAt(512, 512); // no request
 * cached.stats; // { reads: 1, bytesRead: 262144 }
 * ```
 */
export function cachedReadAt(source: ReadAt, options: CachedReadAtOptions = {}): CachedReadAt {
  const blockBytes = positiveInteger('blockBytes', options.blockBytes ?? 256 * 1024);
  const maxBytes = positiveInteger('maxBytes', options.maxBytes ?? 32 * 1024 * 1024);
  // At least one block is kept, whatever maxBytes says, so a read of a cached block always works.
  const maxBlocks = Math.max(1, Math.floor(maxBytes / blockBytes));
  const size = source.size;
  const stats: CachedReadAtStats = { reads: 0, bytesRead: 0 };
  // A Map iterates in insertion order: deleting and re-inserting a key makes it the most recently used.
  const blocks = new Map<number, Uint8Array>();

  function remember(index: number, block: Uint8Array): void {
    blocks.delete(index);
    blocks.set(index, block);
    while (blocks.size > maxBlocks) {
      const oldest = blocks.keys().next().value;
      if (oldest === undefined) break;
      blocks.delete(oldest);
    }
  }

  function blockEnd(index: number): number {
    return Math.min((index + 1) * blockBytes, size);
  }

  return {
    size,
    stats,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, 'image');
      const out = new Uint8Array(length);
      if (length === 0) return out;
      const end = offset + length;
      const first = Math.floor(offset / blockBytes);
      const last = Math.floor((end - 1) / blockBytes);

      // Copies the part of block `index` that [offset, end) covers into `out`.
      const copy = (index: number, block: Uint8Array): void => {
        const blockStart = index * blockBytes;
        const from = Math.max(offset, blockStart);
        const to = Math.min(end, blockStart + block.length);
        out.set(block.subarray(from - blockStart, to - blockStart), from - offset);
      };

      let index = first;
      while (index <= last) {
        const cached = blocks.get(index);
        if (cached !== undefined) {
          remember(index, cached);
          copy(index, cached);
          index += 1;
          continue;
        }
        // A run of missing blocks, read at once; capped at the cache size so one read never holds more than that.
        let runEnd = index;
        while (runEnd < last && runEnd - index + 1 < maxBlocks && !blocks.has(runEnd + 1)) runEnd += 1;
        const runStart = index * blockBytes;
        const data = await source.readAt(runStart, blockEnd(runEnd) - runStart);
        stats.reads += 1;
        stats.bytesRead += data.length;
        for (let i = index; i <= runEnd; i++) {
          // slice(): each block owns its memory, so evicting one frees it whatever happens to its neighbours.
          const block = data.slice(i * blockBytes - runStart, blockEnd(i) - runStart);
          copy(i, block);
          remember(i, block);
        }
        index = runEnd + 1;
      }
      return out;
    },
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`Cannot create the read cache: ${name} is ${String(value)}, expected a positive integer`);
  }
  return value;
}
