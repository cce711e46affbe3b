import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u32le, u8 } from '../bytes.ts';
import { blkidLabel, blkidUuid } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// Linux swap header: the magic ends the first page; version 1 fields start at 1024 (FORMAT.md "swap").
const SWAP_HEADER = 1024;
const version = SWAP_HEADER + 0;
const last_page = SWAP_HEADER + 4;
const sws_uuid = SWAP_HEADER + 12;
const sws_volume = SWAP_HEADER + 28;
const padding_32 = SWAP_HEADER + 44 + 32 * 4;
const padding_33 = SWAP_HEADER + 44 + 33 * 4;
const PAGE_SIZES = [4096, 8192, 16384, 32768, 65536];
const SWAPSPACE2 = Array.from('SWAPSPACE2', (c) => c.charCodeAt(0));
const SWAP_SPACE = Array.from('SWAP-SPACE', (c) => c.charCodeAt(0));
/** TuxOnIce hibernation images keep a valid swap header behind this; blkid does not call them swap. */
const TUXONICE_MAGIC = [0xed, 0xc3, 0x02, 0xe9, 0x98, 0x56, 0xe5, 0x0c];
/** blkid ignores swap areas smaller than ten pages. */
const MIN_SIZE = 10 * 4096;

/**
 * Detects a Linux swap area: "SWAPSPACE2" (version 1, with LABEL and UUID) or the old "SWAP-SPACE"
 * (version 0, neither) at the end of the first page, for page sizes 4 KiB to 64 KiB.
 */
export async function detectSwap(region: ProbeRegion): Promise<FilesystemInfo | null> {
  if (region.length < MIN_SIZE) return null;
  for (const pageSize of PAGE_SIZES) {
    const page = await readProbeBytes(region, 0, pageSize);
    if (page === null) return null;
    const at = pageSize - 10;
    if (bytesEqual(page, at, SWAP_SPACE)) {
      return bytesEqual(page, 0, TUXONICE_MAGIC) ? null : { type: 'swap', label: null, uuid: null };
    }
    if (!bytesEqual(page, at, SWAPSPACE2)) continue;
    if (bytesEqual(page, 0, TUXONICE_MAGIC)) return null;
    const headerVersion = u32le(page, version);
    if (headerVersion !== 1 && headerVersion !== 0x01000000) return null;
    if (u32le(page, last_page) === 0) return null;
    // blkid trusts LABEL and UUID only when this stretch of padding is clean.
    if (u32le(page, padding_32) !== 0 || u32le(page, padding_33) !== 0) return { type: 'swap', label: null, uuid: null };
    return {
      type: 'swap',
      label: u8(page, sws_volume) === 0 ? null : blkidLabel(page.subarray(sws_volume, sws_volume + 16)),
      uuid: blkidUuid(page.subarray(sws_uuid, sws_uuid + 16)),
    };
  }
  return null;
}
