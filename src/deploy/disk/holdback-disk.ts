import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { checkRange } from '../../image/read-at.ts';
import { writeEachPart, type DiskIO } from './disk-io.ts';

/** A byte range of the disk, [start, start+length). */
export interface DiskRange {
  start: number;
  length: number;
}

/**
 * A DiskIO whose "held back" ranges live in memory until commit(): reads and writes that touch them see the
 * in-memory copy, everything else goes straight to the disk.
 *
 * Why: the ranges that make a disk bootable (the partition tables at the start of the image, the GPT backup at
 * the end of the image and of the disk) reach the disk only after the checksum matched and every later edit
 * (GPT relocation, config-drive partition) succeeded. A failure before commit leaves a disk with no partition
 * table, so a corrupt image can never boot.
 *
 * Held-back ranges start as zeros: the pipeline wipes those regions of the disk first, so zeros are what the
 * disk holds there too.
 */
export interface HoldbackDisk extends DiskIO {
  /** Writes every held-back range to the disk and syncs. After this the disk reads the same as the overlay. */
  commit(): Promise<void>;
  readonly heldBack: readonly DiskRange[];
}

export function createHoldbackDisk(disk: DiskIO, ranges: readonly DiskRange[]): HoldbackDisk {
  const held = normaliseRanges(ranges, disk.size).map((range) => ({ ...range, bytes: new Uint8Array(range.length) }));
  let committed = false;

  /** Calls `direct` for the parts of [offset, offset+length) outside held ranges and `inMemory` for the parts inside. */
  async function split(
    offset: number,
    length: number,
    direct: (offset: number, from: number, length: number) => Promise<void>,
    inMemory: (range: { start: number; bytes: Uint8Array }, offset: number, from: number, length: number) => void,
  ): Promise<void> {
    let position = offset;
    const end = offset + length;
    for (const range of held) {
      if (position >= end) break;
      const rangeEnd = range.start + range.length;
      if (rangeEnd <= position || range.start >= end) continue;
      if (range.start > position) {
        await direct(position, position - offset, range.start - position);
        position = range.start;
      }
      const inside = Math.min(rangeEnd, end) - position;
      inMemory(range, position, position - offset, inside);
      position += inside;
    }
    if (position < end) await direct(position, position - offset, end - position);
  }

  return {
    get name() {
      return disk.name;
    },
    get size() {
      return disk.size;
    },
    get logicalSectorSize() {
      return disk.logicalSectorSize;
    },
    get isBlockDevice() {
      return disk.isBlockDevice;
    },
    heldBack: held.map(({ start, length }) => ({ start, length })),

    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(disk.size, offset, length, disk.name);
      const out = new Uint8Array(length);
      await split(
        offset,
        length,
        async (at, from, count) => out.set(await disk.readAt(at, count), from),
        (range, at, from, count) => out.set(range.bytes.subarray(at - range.start, at - range.start + count), from),
      );
      return out;
    },

    async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
      if (committed) throw new ByoiError('BYOI_DISK_IO', { device: disk.name, reason: 'write after commit' });
      await split(
        offset,
        bytes.length,
        (at, from, count) => disk.writeAt(at, bytes.subarray(from, from + count)),
        (range, at, from, count) => range.bytes.set(bytes.subarray(from, from + count), at - range.start),
      );
    },

    async writevAt(offset: number, parts: Uint8Array[]): Promise<void> {
      if (committed) throw new ByoiError('BYOI_DISK_IO', { device: disk.name, reason: 'write after commit' });
      const length = parts.reduce((total, part) => total + part.length, 0);
      const touchesHeld = held.some((range) => range.start < offset + length && range.start + range.length > offset);
      if (!touchesHeld && disk.writevAt !== undefined) {
        await disk.writevAt(offset, parts);
        return;
      }
      await writeEachPart(this, offset, parts);
    },

    async zeroRange(offset: number, length: number): Promise<void> {
      await split(
        offset,
        length,
        (at, _from, count) => disk.zeroRange(at, count),
        (range, at, _from, count) => range.bytes.fill(0, at - range.start, at - range.start + count),
      );
    },

    async commit(): Promise<void> {
      committed = true;
      for (const range of held) await disk.writeAt(range.start, range.bytes);
      await disk.sync();
    },

    /** Held-back ranges would keep stale bytes, so a discard goes through them: they are cleared too. */
    async discardAll(): Promise<boolean> {
      for (const range of held) range.bytes.fill(0);
      return disk.discardAll();
    },
    sync: () => disk.sync(),
    close: () => disk.close(),
  };
}

/** Clips ranges to the disk, sorts them and merges overlaps so each byte is held at most once. */
function normaliseRanges(ranges: readonly DiskRange[], size: number): DiskRange[] {
  const clipped = ranges
    .map(({ start, length }) => ({ start: Math.max(0, start), end: Math.min(size, start + length) }))
    .filter(({ start, end }) => end > start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of clipped) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged.map(({ start, end }) => ({ start, length: end - start }));
}
