import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u16be, u32be, u64be, u8 } from '../bytes.ts';
import { blkidLabel, blkidUuid } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// XFS superblock at byte 0, big endian (FORMAT.md "XFS").
const sb_magicnum = 0;
const sb_blocksize = 4;
const sb_dblocks = 8;
const sb_uuid = 32;
const sb_rextsize = 80;
const sb_agblocks = 84;
const sb_agcount = 88;
const sb_sectsize = 102;
const sb_inodesize = 104;
const sb_fname = 108;
const sb_blocklog = 120;
const sb_sectlog = 121;
const sb_inodelog = 122;
const sb_inopblog = 123;
const sb_imax_pct = 127;
const XFS_MAGIC = [0x58, 0x46, 0x53, 0x42]; // "XFSB"
const XFS_MIN_AG_BLOCKS = 64n;

/**
 * Detects XFS: the "XFSB" magic plus blkid's sanity checks of sizes and their logarithms, so a stray
 * "XFSB" is not enough.
 */
export async function detectXfs(region: ProbeRegion): Promise<FilesystemInfo | null> {
  const sb = await readProbeBytes(region, 0, 128);
  if (sb === null || !bytesEqual(sb, sb_magicnum, XFS_MAGIC)) return null;

  const blocksize = u32be(sb, sb_blocksize);
  const sectsize = u16be(sb, sb_sectsize);
  const inodesize = u16be(sb, sb_inodesize);
  const blocklog = u8(sb, sb_blocklog);
  const sectlog = u8(sb, sb_sectlog);
  const inodelog = u8(sb, sb_inodelog);
  const inopblog = u8(sb, sb_inopblog);
  const agcount = BigInt(u32be(sb, sb_agcount));
  const agblocks = BigInt(u32be(sb, sb_agblocks));
  const dblocks = u64be(sb, sb_dblocks);
  const rextBytes = u32be(sb, sb_rextsize) * blocksize;
  const valid =
    agcount > 0n &&
    sectlog >= 9 && sectlog <= 15 && sectsize === 2 ** sectlog &&
    blocklog >= 9 && blocklog <= 16 && blocksize === 2 ** blocklog &&
    inodelog >= 8 && inodelog <= 11 && inodesize === 2 ** inodelog &&
    blocklog - inodelog === inopblog &&
    rextBytes >= 4096 && rextBytes <= 1024 * 1024 * 1024 &&
    u8(sb, sb_imax_pct) <= 100 &&
    dblocks !== 0n &&
    dblocks <= agcount * agblocks &&
    dblocks >= (agcount - 1n) * agblocks + XFS_MIN_AG_BLOCKS;
  if (!valid) return null;
  return {
    type: 'xfs',
    label: blkidLabel(sb.subarray(sb_fname, sb_fname + 12)),
    uuid: blkidUuid(sb.subarray(sb_uuid, sb_uuid + 16)),
  };
}
