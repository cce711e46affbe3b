import { createHash, getHashes } from 'node:crypto';
import { asciiz, bytesEqual, u16be, u32be, u64be } from '../bytes.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { hex, invalid, unsupported } from './_container-errors.ts';

// LUKS1: "LUKS On-Disk Format Specification" 1.2.3; LUKS2: "LUKS2 On-Disk Format Specification" 1.1.x.
// All binary numbers are big-endian.
const MAGIC = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]; // "LUKS\xba\xbe"
const VERSION = 6; // u16
// LUKS1 phdr
const LUKS1_HEADER_SIZE = 592;
const LUKS1_PAYLOAD_OFFSET = 104; // u32, in 512-byte sectors
// LUKS2 binary header
const LUKS2_BINARY_SIZE = 4096;
const LUKS2_HDR_SIZE = 8; // u64: binary header + JSON area
const LUKS2_CHECKSUM_ALG = 72; // 32 bytes, NUL-terminated
const LUKS2_CSUM = 448; // 64 bytes
/** LUKS2 1.1 §2: the only sizes hdr_size may have (16 KiB to 4 MiB). */
const LUKS2_HDR_SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096].map((k) => k * 1024);

function luks1Size(source: ReadAt, header: Uint8Array): number {
  const payloadOffset = u32be(header, LUKS1_PAYLOAD_OFFSET) * 512;
  if (payloadOffset < LUKS1_HEADER_SIZE) throw invalid('luks header', `payload-offset ${payloadOffset / 512} sectors is inside the header`);
  checkRange(source.size, 0, payloadOffset, 'luks payload');
  const size = source.size - payloadOffset;
  return size - (size % 512);
}

function decimal(value: unknown, field: string): number {
  // LUKS2 JSON keeps 64-bit numbers as decimal strings.
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw invalid('luks2 metadata', `${field} is not a decimal string`);
  }
  return Number(value);
}

async function luks2Size(source: ReadAt, binary: Uint8Array): Promise<number> {
  const hdrSize = Number(u64be(binary, LUKS2_HDR_SIZE));
  if (!LUKS2_HDR_SIZES.includes(hdrSize)) throw invalid('luks2 header', `hdr_size ${hex(hdrSize)} is not 16 KiB to 4 MiB`);
  checkRange(source.size, 0, hdrSize, 'luks2 header');
  const area = new Uint8Array(await source.readAt(0, hdrSize));
  // The checksum covers the binary header (with csum zeroed) and the JSON area.
  const algorithm = asciiz(binary, LUKS2_CHECKSUM_ALG, 32);
  if (!getHashes().includes(algorithm)) throw unsupported(`the LUKS2 header checksum "${algorithm}"`);
  const stored = area.slice(LUKS2_CSUM, LUKS2_CSUM + 64);
  area.fill(0, LUKS2_CSUM, LUKS2_CSUM + 64);
  const digest = createHash(algorithm).update(area).digest();
  const expected = new Uint8Array(64);
  expected.set(digest.subarray(0, 64));
  if (!bytesEqual(stored, 0, expected)) throw invalid('luks2 header', `${algorithm} checksum does not match`);

  const jsonBytes = area.subarray(LUKS2_BINARY_SIZE);
  let end = 0;
  while (end < jsonBytes.length && jsonBytes[end] !== 0) end++;
  let metadata: unknown;
  try {
    metadata = JSON.parse(new TextDecoder('utf-8').decode(jsonBytes.subarray(0, end)));
  } catch {
    throw invalid('luks2 metadata', 'the JSON area does not parse');
  }
  const segments = (metadata as { segments?: unknown }).segments;
  if (typeof segments !== 'object' || segments === null) throw invalid('luks2 metadata', 'there is no segments object');
  const keys = Object.keys(segments);
  if (keys.length !== 1) throw unsupported(`a LUKS2 volume with ${keys.length} data segments (reencryption in progress?)`);
  const segment = (segments as Record<string, unknown>)[keys[0] as string] as { type?: unknown; offset?: unknown; size?: unknown };
  if (segment?.type !== 'crypt') throw unsupported(`a LUKS2 segment of type ${String(segment?.type)}`);
  const offset = decimal(segment.offset, 'segment offset');
  checkRange(source.size, 0, offset, 'luks2 payload');
  const size = segment.size === 'dynamic' ? source.size - offset : decimal(segment.size, 'segment size');
  checkRange(source.size, offset, size, 'luks2 payload');
  return size - (size % 512);
}

/**
 * Virtual size of a LUKS volume: what lies after the header and key material.
 *
 * - LUKS1: file size − payload-offset × 512, as qemu's luks driver computes it (block/crypto.c).
 * - LUKS2 (which qemu-img 7.2 cannot open, so it probes it as raw): the one data segment of the JSON metadata,
 *   after checking the header checksum; "dynamic" size means up to the end of the file. cryptsetup's luksDump is the
 *   oracle for the offset. Rounded down to 512.
 *
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE
 */
export async function readLuksVirtualSize(source: ReadAt): Promise<number> {
  checkRange(source.size, 0, LUKS1_HEADER_SIZE, 'luks header');
  const header = await source.readAt(0, Math.min(source.size, LUKS2_BINARY_SIZE));
  if (!bytesEqual(header, 0, MAGIC)) throw invalid('luks header', 'magic is not "LUKS\\xba\\xbe"');
  const version = u16be(header, VERSION);
  if (version === 1) return luks1Size(source, header);
  if (version === 2) {
    checkRange(source.size, 0, LUKS2_BINARY_SIZE, 'luks2 header');
    return luks2Size(source, header);
  }
  throw unsupported(`LUKS version ${version}`);
}
