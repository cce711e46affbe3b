import { fatTableBytes } from './read-fat-boot-sector.ts';
import { FAT_CHUNK_BYTES, type FatVolume } from './open-fat-volume.ts';

/**
 * Reads the FAT entry of `cluster` from the active FAT, as a plain number (FAT32 entries without their
 * 4 reserved high bits). The caller checks that `cluster` is within 0 .. clusterCount + 1.
 *
 * FORMAT.md "FAT entries": FAT12 packs two 12-bit entries in three bytes, FAT16 entries are u16le and FAT32
 * entries u32le masked with 0x0FFFFFFF.
 */
export async function readFatEntry(volume: FatVolume, cluster: number): Promise<number> {
  const fatType = volume.bootSector.fatType;
  if (fatType === 12) {
    const at = cluster + Math.floor(cluster / 2);
    const pair = (await fatByte(volume, at)) | ((await fatByte(volume, at + 1)) << 8);
    return cluster % 2 === 0 ? pair & 0x0fff : pair >> 4;
  }
  if (fatType === 16) {
    const at = cluster * 2;
    return (await fatByte(volume, at)) | ((await fatByte(volume, at + 1)) << 8);
  }
  const at = cluster * 4;
  const value =
    (await fatByte(volume, at)) |
    ((await fatByte(volume, at + 1)) << 8) |
    ((await fatByte(volume, at + 2)) << 16) |
    ((await fatByte(volume, at + 3)) << 24);
  return (value & 0x0fffffff) >>> 0;
}

async function fatByte(volume: FatVolume, at: number): Promise<number> {
  const index = Math.floor(at / FAT_CHUNK_BYTES);
  let chunk = volume.fatChunks.get(index);
  if (chunk === undefined) {
    const bs = volume.bootSector;
    // Only the bytes that hold real entries are read; the rest of the FAT's last sector is never needed.
    const tableBytes = fatTableBytes(bs.fatType, bs.clusterCount);
    const start = index * FAT_CHUNK_BYTES;
    const fatStart =
      volume.offset + (bs.reservedSectorCount + bs.activeFat * bs.fatSizeSectors) * bs.bytesPerSector;
    chunk = await volume.source.readAt(fatStart + start, Math.min(FAT_CHUNK_BYTES, tableBytes - start));
    volume.fatChunks.set(index, chunk);
  }
  return chunk[at - index * FAT_CHUNK_BYTES] ?? 0;
}
