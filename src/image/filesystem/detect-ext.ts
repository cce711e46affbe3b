import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u32le } from '../bytes.ts';
import { blkidLabel, blkidUuid } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// ext2/3/4 superblock, 1024 bytes from the start of the partition (FORMAT.md "ext2, ext3, ext4").
const SUPERBLOCK_OFFSET = 1024;
const s_magic = 0x38;
const s_feature_compat = 0x5c;
const s_feature_incompat = 0x60;
const s_feature_ro_compat = 0x64;
const s_uuid = 0x68;
const s_volume_name = 0x78;
const EXT_MAGIC = [0x53, 0xef];

const COMPAT_HAS_JOURNAL = 0x0004;
const INCOMPAT_JOURNAL_DEV = 0x0008;
/** Features an ext2 driver understands; anything else needs ext3 or ext4 (blkid's EXT2_FEATURE_*_SUPP). */
const EXT2_RO_COMPAT_SUPP = 0x0001 | 0x0002 | 0x0004; // sparse_super, large_file, btree_dir
const EXT2_INCOMPAT_SUPP = 0x0002 | 0x0010; // filetype, meta_bg
/** ext3 adds needs_recovery to ext2's incompatible features. */
const EXT3_RO_COMPAT_SUPP = EXT2_RO_COMPAT_SUPP;
const EXT3_INCOMPAT_SUPP = EXT2_INCOMPAT_SUPP | 0x0004;

/**
 * Detects ext2, ext3, ext4 (and an external ext journal, "jbd") the way blkid names them:
 * - jbd: the journal_dev incompatible feature;
 * - ext2: no journal and only features an ext2 driver knows;
 * - ext3: a journal and only features ext3 knows;
 * - ext4: anything else (extents, 64bit, flex_bg, metadata_csum ... or no journal with ext4 features).
 * blkid also asks the running kernel which drivers it has; byoi answers as for a kernel with all three.
 */
export async function detectExt(region: ProbeRegion): Promise<FilesystemInfo | null> {
  const sb = await readProbeBytes(region, SUPERBLOCK_OFFSET, 0x200);
  if (sb === null || !bytesEqual(sb, s_magic, EXT_MAGIC)) return null;
  const compat = u32le(sb, s_feature_compat);
  const incompat = u32le(sb, s_feature_incompat);
  const roCompat = u32le(sb, s_feature_ro_compat);

  let type: string;
  if ((incompat & INCOMPAT_JOURNAL_DEV) !== 0) {
    type = 'jbd';
  } else if ((compat & COMPAT_HAS_JOURNAL) === 0 && (roCompat & ~EXT2_RO_COMPAT_SUPP) === 0 && (incompat & ~EXT2_INCOMPAT_SUPP) === 0) {
    type = 'ext2';
  } else if ((compat & COMPAT_HAS_JOURNAL) !== 0 && (roCompat & ~EXT3_RO_COMPAT_SUPP) === 0 && (incompat & ~EXT3_INCOMPAT_SUPP) === 0) {
    type = 'ext3';
  } else {
    // blkid says ext4dev for s_flags "test_fs" only on kernels that have an ext4dev driver (gone since 4.3).
    type = 'ext4';
  }
  return {
    type,
    label: blkidLabel(sb.subarray(s_volume_name, s_volume_name + 16)),
    uuid: blkidUuid(sb.subarray(s_uuid, s_uuid + 16)),
  };
}
