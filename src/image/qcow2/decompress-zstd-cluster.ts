import { Decompress } from 'fzstd';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { u16le, u32le, u8 } from '../bytes.ts';

// Zstandard frame layout (RFC 8878 §3.1). Only what is needed to find where a frame ends and to bound the memory
// its decoder asks for; fzstd decodes the frame itself.
const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MIN = 0x184d2a50;
const SKIPPABLE_MAGIC_MAX = 0x184d2a5f;
const BLOCK_HEADER_SIZE = 3;
const BLOCK_TYPE_RLE = 1;
const BLOCK_TYPE_RESERVED = 3;
/** RFC 8878 §3.1.1.2.3: Block_Maximum_Size is at most 128 KiB. */
const BLOCK_MAXIMUM_SIZE = 128 * 1024;
/** libzstd refuses frames that need a window above 2^27 unless told otherwise; qemu does not tell it otherwise. */
const MAX_WINDOW_SIZE = 2 ** 27;
const CHECKSUM_SIZE = 4;

const structure = 'qcow2 compressed cluster';

function invalid(reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
}

/** Thrown from the output callback to stop a frame that produces more than the cluster still needs. */
class OutputFull extends Error {}

interface FrameInfo {
  /** Bytes of input the frame takes, header to checksum. */
  length: number;
  /** Frame_Content_Size when the header has it. */
  contentSize: number | null;
}

/** Walks one frame's header and block headers (RFC 8878 §3.1.1) to find where it ends. */
function frameInfo(data: Uint8Array, start: number): FrameInfo {
  if (data.length - start < 6) throw invalid(`zstd frame at byte ${start} is cut short`);
  const descriptor = u8(data, start + 4);
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const reserved = (descriptor >> 3) & 1;
  const checksumFlag = (descriptor >> 2) & 1;
  const dictionaryFlag = descriptor & 3;
  if (reserved !== 0) throw invalid(`zstd frame at byte ${start} has its reserved bit set`);
  if (dictionaryFlag !== 0) throw invalid(`zstd frame at byte ${start} needs a dictionary`);
  let pos = start + 5;
  let windowSize = 0;
  if (singleSegment === 0) {
    const windowDescriptor = u8(data, pos);
    pos += 1;
    const windowBase = 2 ** (10 + (windowDescriptor >> 3));
    windowSize = windowBase + (windowBase / 8) * (windowDescriptor & 7);
  }
  const fcsSize = fcsFlag === 0 ? singleSegment : 2 ** fcsFlag;
  if (pos + fcsSize > data.length) throw invalid(`zstd frame at byte ${start} is cut short`);
  let contentSize: number | null = null;
  if (fcsSize === 1) contentSize = u8(data, pos);
  else if (fcsSize === 2) contentSize = u16le(data, pos) + 256;
  else if (fcsSize === 4) contentSize = u32le(data, pos);
  else if (fcsSize === 8) contentSize = u32le(data, pos) + u32le(data, pos + 4) * 2 ** 32;
  pos += fcsSize;
  if (singleSegment === 1) windowSize = contentSize ?? 0;
  if (windowSize > MAX_WINDOW_SIZE) throw invalid(`zstd frame at byte ${start} asks for a ${windowSize}-byte window`);

  for (;;) {
    if (pos + BLOCK_HEADER_SIZE > data.length) throw invalid(`zstd frame at byte ${start} is cut short`);
    const blockHeader = u8(data, pos) | (u8(data, pos + 1) << 8) | (u8(data, pos + 2) << 16);
    const last = blockHeader & 1;
    const type = (blockHeader >> 1) & 3;
    const size = blockHeader >>> 3;
    if (type === BLOCK_TYPE_RESERVED) throw invalid(`zstd block at byte ${pos} has the reserved type 3`);
    if (size > BLOCK_MAXIMUM_SIZE) throw invalid(`zstd block at byte ${pos} is ${size} bytes, more than 128 KiB`);
    pos += BLOCK_HEADER_SIZE + (type === BLOCK_TYPE_RLE ? 1 : size);
    if (pos > data.length) throw invalid(`zstd frame at byte ${start} is cut short`);
    if (last === 1) break;
  }
  if (checksumFlag === 1) pos += CHECKSUM_SIZE;
  if (pos > data.length) throw invalid(`zstd frame at byte ${start} is cut short`);
  return { length: pos - start, contentSize };
}

/**
 * The length of the zstd frame at byte 0 of `data` when that frame alone makes the cluster, as qemu writes them
 * (one frame whose header gives Frame_Content_Size = `clusterSize`); null when the cluster is made otherwise
 * (skippable frames, several frames, no content size). Decoding those frame bytes with the output capped at one
 * cluster is then exactly what decompressZstdCluster() does, which lets the decoding run elsewhere (a worker)
 * while this thread keeps the checks.
 *
 * @throws BYOI_IMAGE_INVALID for a frame header that decompressZstdCluster() refuses too
 *
 * @example
 * ```ts
 * const length = singleZstdFrameLength(bytesAtHostOffset, 65536); // e.g. 20457, or null
 * ```
 */
export function singleZstdFrameLength(data: Uint8Array, clusterSize: number): number | null {
  if (data.length < 4 || u32le(data, 0) !== ZSTD_MAGIC) return null;
  const frame = frameInfo(data, 0);
  return frame.contentSize === clusterSize ? frame.length : null;
}

/**
 * Decompresses the zstd data of one compressed qcow2 cluster into exactly `clusterSize` bytes. As qemu's
 * qcow2_zstd_decompress() does, it decodes frames one after the other until the cluster is full and ignores the
 * bytes after that (the tail of the last sector may hold the next cluster's data); a frame that would go past the
 * cluster, or input that ends before the cluster is full, is an error. Memory stays bounded: a frame's window is
 * at most 2^27 bytes (libzstd's default limit), and decoding stops as soon as a frame overshoots.
 *
 * @throws BYOI_IMAGE_INVALID naming what is wrong
 *
 * @example
 * ```ts
 * const cluster = decompressZstdCluster(bytesAtHostOffset, 65536);
 * cluster.length; // 65536
 * ```
 */
export function decompressZstdCluster(data: Uint8Array, clusterSize: number): Uint8Array {
  const out = new Uint8Array(clusterSize);
  let produced = 0;
  let pos = 0;
  while (produced < clusterSize) {
    if (data.length - pos < 4) throw invalid(`zstd data ends after ${produced} of ${clusterSize} bytes`);
    const magic = u32le(data, pos);
    if (magic >= SKIPPABLE_MAGIC_MIN && magic <= SKIPPABLE_MAGIC_MAX) {
      if (data.length - pos < 8) throw invalid(`skippable zstd frame at byte ${pos} is cut short`);
      pos += 8 + u32le(data, pos + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw invalid(`no zstd frame at byte ${pos} (magic 0x${magic.toString(16)}) after ${produced} of ${clusterSize} bytes`);
    const frame = frameInfo(data, pos);
    if (frame.contentSize !== null && frame.contentSize > clusterSize - produced) {
      throw invalid(`zstd frame at byte ${pos} holds ${frame.contentSize} bytes, more than the ${clusterSize - produced} the cluster still needs`);
    }
    const room = clusterSize - produced;
    let frameOutput = 0;
    const decoder = new Decompress((chunk: Uint8Array) => {
      if (frameOutput + chunk.length > room) throw new OutputFull();
      out.set(chunk, produced + frameOutput);
      frameOutput += chunk.length;
    });
    try {
      decoder.push(data.subarray(pos, pos + frame.length), true);
    } catch (error) {
      if (error instanceof OutputFull) {
        throw invalid(`zstd frame at byte ${pos} decompresses to more than the ${room} bytes the cluster still needs`);
      }
      throw invalid(`zstd frame at byte ${pos} does not decompress (${error instanceof Error ? error.message : String(error)})`);
    }
    produced += frameOutput;
    pos += frame.length;
  }
  return out;
}
