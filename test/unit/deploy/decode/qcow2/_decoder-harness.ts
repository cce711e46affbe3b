// Feeds qcow2 files through createQcow2Decoder() in chosen chunk sizes, into an ImageWriter over a temp file, and
// gives the tests what they compare: the disk's bytes, the decoder's stats, and a refetcher that reads the file and
// counts what it was asked.
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDisk } from '../../../../../src/deploy/disk/open-disk.ts';
import { createImageWriter, type ImageWriter } from '../../../../../src/deploy/sink/image-writer.ts';
import {
  createQcow2Decoder,
  type Qcow2DecoderNotice,
  type Qcow2DecoderOptions,
  type Qcow2StreamDecoder,
} from '../../../../../src/deploy/decode/qcow2/create-qcow2-decoder.ts';
import type { HostRange, RangeRefetcher, RefetchedBytes } from '../../../../../src/deploy/decode/qcow2/range-refetcher.ts';
import type { ZstdDecoderName } from '../../../../../src/deploy/decode/qcow2/_zstd-worker-pool.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Gives the size of chunk number `index`. */
export type Chunking = (index: number) => number;

export function fixedChunks(size: number): Chunking {
  return () => size;
}

/** Sizes from 1 byte to 256 KiB, reproducible from the seed (xorshift32). */
export function randomChunks(seed: number): Chunking {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    // Mostly small and odd sizes, sometimes large ones.
    return x % 8 === 0 ? 1 + (x % (256 * KiB)) : 1 + (x % 9000);
  };
}

/** The chunkings every fixture goes through (1-byte chunks only for tiny images, see tinyChunkings). */
export const chunkings: readonly { name: string; chunking: Chunking }[] = [
  { name: '4 KiB chunks', chunking: fixedChunks(4 * KiB) },
  { name: '64 KiB chunks', chunking: fixedChunks(64 * KiB) },
  { name: '1 MiB chunks', chunking: fixedChunks(MiB) },
  { name: 'random chunks', chunking: randomChunks(20240611) },
];

export const tinyChunkings: readonly { name: string; chunking: Chunking }[] = [
  { name: '1-byte chunks', chunking: fixedChunks(1) },
  ...chunkings,
];

/** A refetcher over a file's bytes that counts what it was asked; `change` alters what it returns. */
export interface CountingRefetcher extends RangeRefetcher {
  calls: number;
  ranges: number;
  bytes: number;
}

export function bytesRefetcher(image: Uint8Array, change?: (offset: number, bytes: Uint8Array) => Uint8Array): CountingRefetcher {
  const refetcher: CountingRefetcher = {
    calls: 0,
    ranges: 0,
    bytes: 0,
    async *readRanges(ranges: readonly HostRange[]): AsyncIterable<RefetchedBytes> {
      refetcher.calls++;
      let previousEnd = -1;
      for (const range of ranges) {
        if (range.offset <= previousEnd) throw new Error('ranges must be sorted and coalesced');
        previousEnd = range.offset + range.length;
        refetcher.ranges++;
        refetcher.bytes += range.length;
        // Pieces of 10000 bytes: not aligned to anything the decoder uses.
        for (let at = range.offset; at < range.offset + range.length; at += 10000) {
          const end = Math.min(at + 10000, range.offset + range.length);
          const piece = image.slice(at, end);
          yield { offset: at, bytes: change === undefined ? piece : change(at, piece) };
        }
      }
    },
  };
  return refetcher;
}

export interface DecodeOptions {
  chunking: Chunking;
  /** Size of the disk file; the virtual size when not given. */
  diskSize?: number;
  /** The disk reads zero (a fresh sparse file); when false it is filled with 0xee first. */
  diskReadsZero?: boolean;
  /** Tell the decoder the file size (default), or pass null as a server that does not say. */
  knownSize?: boolean;
  memoryBudgetBytes?: number;
  refetch?: RangeRefetcher | null;
  signal?: AbortSignal;
  /** The zstd decoder to run (the decoder's default when not given). */
  zstdDecoder?: ZstdDecoderName;
}

export interface DecodeResult {
  decoder: Qcow2StreamDecoder;
  diskPath: string;
  notices: Qcow2DecoderNotice[];
  writer: ImageWriter;
}

/** Makes a disk file of `size` bytes: sparse (reads zero), or filled with 0xee. */
export function makeDisk(path: string, size: number, readsZero: boolean): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    if (!readsZero) {
      const fill = Buffer.alloc(MiB, 0xee);
      for (let at = 0; at < size; at += MiB) writeSync(fd, fill, 0, Math.min(MiB, size - at), at);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Decodes `image` onto a new disk file in `dir` and returns the decoder. The disk is closed before this returns;
 * errors of push() and end() propagate.
 */
export async function decodeToDisk(dir: string, image: Uint8Array, virtualSize: number, options: DecodeOptions): Promise<DecodeResult> {
  const diskPath = join(dir, `disk-${Math.random().toString(36).slice(2)}.raw`);
  const readsZero = options.diskReadsZero ?? true;
  makeDisk(diskPath, options.diskSize ?? virtualSize, readsZero);
  const disk = await openDisk(diskPath);
  const notices: Qcow2DecoderNotice[] = [];
  try {
    const writer = createImageWriter(disk, { diskReadsZero: readsZero });
    const decoderOptions: Qcow2DecoderOptions = {
      fileSize: options.knownSize === false ? null : image.length,
      refetch: options.refetch ?? null,
      onNotice: (_message, notice) => notices.push(notice),
    };
    if (options.memoryBudgetBytes !== undefined) decoderOptions.memoryBudgetBytes = options.memoryBudgetBytes;
    if (options.signal !== undefined) decoderOptions.signal = options.signal;
    if (options.zstdDecoder !== undefined) decoderOptions.zstdDecoder = options.zstdDecoder;
    const decoder = createQcow2Decoder(writer, decoderOptions);
    let at = 0;
    for (let index = 0; at < image.length; index++) {
      const size = Math.max(1, options.chunking(index));
      // A fresh copy per chunk, as a network source gives: the decoder must not rely on the caller's buffer.
      await decoder.push(image.slice(at, at + size));
      at += size;
    }
    await decoder.end();
    return { decoder, diskPath, notices, writer };
  } finally {
    await disk.close();
  }
}

export function readDisk(path: string): Buffer {
  return readFileSync(path);
}
