import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFatFilesystem } from '../../deploy/configdrive/write-fat-filesystem.ts';
import type { Extent } from '../../deploy/configdrive/filesystem-image.ts';
import { encodeGptEntry } from '../../image/gpt/encode-gpt-entry.ts';
import { encodeGptHeader } from '../../image/gpt/encode-gpt-header.ts';
import { encodeMbrEntry } from '../../image/mbr/encode-mbr-entry.ts';
import { MBR_BOOT_SIGNATURE, MBR_PARTITION_ENTRIES, TYPE_GPT_PROTECTIVE } from '../../image/mbr/mbr-layout.ts';

/** The file name the control plane serves the sample under (GET /demo/images/<name>). */
export const sampleImageName = 'sample-gpt.raw';

/**
 * The sample image's layout (512-byte sectors, 48 MiB):
 *
 *   LBA 0            protective MBR (one 0xEE entry)
 *   LBA 1 .. 33      GPT header and 128 entries
 *   LBA 2048         partition 1, EFI System Partition, 32 MiB FAT16 "EFI":
 *                      \EFI\BOOT\BOOTX64.EFI, \EFI\debian\grubx64.efi, \EFI\debian\grub.cfg, \README.TXT
 *   LBA 67584        partition 2, Linux filesystem "root", 15 MiB (holds a text note, no filesystem)
 *   last 33 LBAs     backup GPT entries and header
 *
 * A structural sample: the partition tables, the ESP and its loader paths are real, so byoi's preflight, GPT
 * relocation, config drive and boot detection all have something true to work on, but the .efi files are
 * placeholders and there is no operating system: it does not boot.
 */
export const sampleImageLayout = {
  sectorSize: 512,
  sizeBytes: 48 * 1024 * 1024,
  esp: { firstLba: 2048, sectors: 65536 },
  root: { firstLba: 67584, sectors: 28672 },
} as const;

const espTypeGuid = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const linuxTypeGuid = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
// Fixed GUIDs and timestamp: the image is the same bytes on every machine, so its digest can be published.
const diskGuid = '6279F1A2-0B7E-4C1E-9A51-2E6D8B0C5A01';
const espGuid = '6279F1A2-0B7E-4C1E-9A51-2E6D8B0C5A02';
const rootGuid = '6279F1A2-0B7E-4C1E-9A51-2E6D8B0C5A03';
const timestamp = new Date('2026-01-01T00:00:00Z');

/** A placeholder where an EFI binary would be: the PE "MZ" magic, then what it really is. */
function placeholderLoader(name: string): Uint8Array {
  return new TextEncoder().encode(`MZ byoi sample image: placeholder for ${name}, not an EFI binary. This image does not boot.\n`);
}

/** The sample image as the list of its non-zero extents (everything else is zero). Pure. */
export function buildSampleImage(): { sizeBytes: number; extents: Extent[] } {
  const { sectorSize, sizeBytes, esp, root } = sampleImageLayout;
  const totalSectors = sizeBytes / sectorSize;
  const entryCount = 128;
  const entrySize = 128;
  const entrySectors = (entryCount * entrySize) / sectorSize;
  const lastLba = totalSectors - 1;
  const lastUsableLba = lastLba - entrySectors - 1;

  const entries = new Uint8Array(entryCount * entrySize);
  entries.set(encodeGptEntry({ typeGuid: espTypeGuid, uniqueGuid: espGuid, startingLba: esp.firstLba, endingLba: esp.firstLba + esp.sectors - 1, name: 'EFI System Partition' }, entrySize), 0);
  entries.set(encodeGptEntry({ typeGuid: linuxTypeGuid, uniqueGuid: rootGuid, startingLba: root.firstLba, endingLba: root.firstLba + root.sectors - 1, name: 'root' }, entrySize), entrySize);
  const entriesCrc = crc32(entries);
  const header = {
    sectorSize,
    firstUsableLba: 2 + entrySectors,
    lastUsableLba,
    diskGuid,
    numberOfPartitionEntries: entryCount,
    sizeOfPartitionEntry: entrySize,
    partitionEntryArrayCrc32: entriesCrc,
  };
  const primary = encodeGptHeader({ ...header, myLba: 1, alternateLba: lastLba, partitionEntryLba: 2 });
  const backup = encodeGptHeader({ ...header, myLba: lastLba, alternateLba: 1, partitionEntryLba: lastLba - entrySectors });

  const mbr = new Uint8Array(sectorSize);
  mbr.set(encodeMbrEntry({ type: TYPE_GPT_PROTECTIVE, startLba: 1, sectorCount: Math.min(lastLba, 0xffffffff) }), MBR_PARTITION_ENTRIES);
  mbr[MBR_BOOT_SIGNATURE] = 0x55;
  mbr[MBR_BOOT_SIGNATURE + 1] = 0xaa;

  const grubCfg = new TextEncoder().encode('# byoi sample image: a real image would load its kernel here.\necho "byoi sample image: there is no operating system on this disk"\n');
  const readme = new TextEncoder().encode(
    'byoi sample image\r\n\r\nA structural sample made by byoi: a GPT disk with an EFI System Partition holding the\r\n' +
      'usual loader paths as placeholders, and an empty Linux partition. byoi deploys it like any raw image\r\n' +
      '(checksum, GPT backup moved to the end of the disk, config drive, EFI loader detection), but it holds no\r\n' +
      'operating system and does not boot. Use a real cloud image (Debian, Ubuntu...) to boot a server.\r\n',
  );
  const fat = writeFatFilesystem(
    [
      { path: 'EFI/BOOT/BOOTX64.EFI', bytes: placeholderLoader('\\EFI\\BOOT\\BOOTX64.EFI') },
      { path: 'EFI/debian/grubx64.efi', bytes: placeholderLoader('\\EFI\\debian\\grubx64.efi') },
      { path: 'EFI/debian/grub.cfg', bytes: grubCfg },
      { path: 'README.TXT', bytes: readme },
    ],
    { label: 'EFI', sizeBytes: esp.sectors * sectorSize, sectorSize, volumeId: 0x6279f1a2, timestamp, hiddenSectors: esp.firstLba },
  );
  const rootNote = new TextEncoder().encode('byoi sample image: a real image has its root filesystem here; this one has none.\n');

  const extents: Extent[] = [
    { offset: 0, bytes: mbr },
    { offset: sectorSize, bytes: primary },
    { offset: 2 * sectorSize, bytes: entries },
    ...fat.extents.map((extent) => ({ offset: esp.firstLba * sectorSize + extent.offset, bytes: extent.bytes })),
    { offset: root.firstLba * sectorSize, bytes: rootNote },
    { offset: (lastLba - entrySectors) * sectorSize, bytes: entries },
    { offset: lastLba * sectorSize, bytes: backup },
  ];
  return { sizeBytes, extents };
}

/** The sample image on disk, with its digests. */
export interface SampleImage {
  path: string;
  sizeBytes: number;
  sha256: string;
  sha512: string;
}

/**
 * Writes the sample image to `dir/sample-gpt.raw` (a sparse file) with its digests in `.sha256` and `.sha512`
 * files beside it, unless they are there already. Safe to call on every start.
 */
export function ensureSampleImage(dir: string): SampleImage {
  const path = join(dir, sampleImageName);
  const sums = { sha256: `${path}.sha256`, sha512: `${path}.sha512` };
  if (!existsSync(path) || !existsSync(sums.sha256) || !existsSync(sums.sha512)) {
    mkdirSync(dir, { recursive: true });
    const { sizeBytes, extents } = buildSampleImage();
    const temporary = `${path}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o644);
    try {
      ftruncateSync(fd, sizeBytes);
      for (const extent of extents) writeSync(fd, extent.bytes, 0, extent.bytes.length, extent.offset);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    const bytes = readFileSync(path);
    // `sha256sum -c` reads this format: digest, two spaces, file name.
    writeFileSync(sums.sha256, `${createHash('sha256').update(bytes).digest('hex')}  ${sampleImageName}\n`);
    writeFileSync(sums.sha512, `${createHash('sha512').update(bytes).digest('hex')}  ${sampleImageName}\n`);
  }
  const digest = (file: string) => (readFileSync(file, 'utf8').split(/\s+/)[0] ?? '').trim();
  return { path, sizeBytes: sampleImageLayout.sizeBytes, sha256: digest(sums.sha256), sha512: digest(sums.sha512) };
}
