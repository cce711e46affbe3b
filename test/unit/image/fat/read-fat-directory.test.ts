import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { readFatBootSector } from '../../../../src/image/fat/read-fat-boot-sector.ts';
import { readFatDirectory } from '../../../../src/image/fat/read-fat-directory.ts';
import { CP437_HIGH_HALF_LENGTH, decodeCp437 } from '../../../../src/image/fat/decode-cp437.ts';
import { FAT_TOOLS, deleteFile, makeFatImage, mdirPaths, putFile } from './_fat-fixtures.ts';

/** The root directory region of a FAT12/16 image, straight from the bytes. */
async function rootRegion(image: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(readFileSync(image));
  const bs = await readFatBootSector(bufferReadAt(bytes), 0, bytes.length);
  const start = (bs.reservedSectorCount + bs.numFats * bs.fatSizeSectors) * bs.bytesPerSector;
  return bytes.subarray(start, start + bs.rootEntryCount * 32);
}

test('readFatDirectory() follows long file names across entries', async (t) => {
  if (!needTools(t, ...FAT_TOOLS)) return;
  const dir = tempDir(t);
  const image = makeFatImage(dir, 'fat.img', { fatBits: 12, sizeKiB: 1024, label: 'NAMES' });
  const names = [
    'a name that needs four long entries.txt', // 39 characters: 3 entries
    'exactly13char', // one full entry, no terminator
    'Grubx64.efi', // mixed case needs a long name
    'grubx64.efi', // all lower case fits the case bits, no long name
    'BOOTX64.EFI', // plain 8.3
    'ünïcödé name.txt',
  ];
  for (const name of names) putFile(image, `\\${name}`, new Uint8Array([1]), dir);
  const entries = readFatDirectory(await rootRegion(image), 12);
  const files = entries.filter((e) => !e.isVolumeLabel);
  assert.deepEqual(files.map((e) => `\\${e.name}`).sort(), mdirPaths(image));
  const long = files.find((e) => e.name === names[0]);
  assert.ok(long);
  assert.equal(long.longName, names[0]);
  assert.match(long.shortName, /^ANAMET~1\.TXT$/);
  const lower = files.find((e) => e.shortName === 'grubx64.efi');
  assert.ok(lower, 'the case bits give the lower-case short name');
  assert.equal(lower.longName, null);
  const label = entries.find((e) => e.isVolumeLabel);
  assert.equal(label?.name, 'NAMES');
});

test('readFatDirectory() skips deleted entries and their long names', async (t) => {
  if (!needTools(t, ...FAT_TOOLS)) return;
  const dir = tempDir(t);
  const image = makeFatImage(dir, 'fat.img', { fatBits: 12, sizeKiB: 1024 });
  putFile(image, '\\first file with a long name', new Uint8Array([1]), dir);
  putFile(image, '\\second file with a long name', new Uint8Array([2]), dir);
  putFile(image, '\\third file with a long name', new Uint8Array([3]), dir);
  deleteFile(image, '\\second file with a long name');
  const names = readFatDirectory(await rootRegion(image), 12).map((e) => e.name);
  assert.deepEqual(names, ['first file with a long name', 'third file with a long name']);
  assert.deepEqual(names.map((n) => `\\${n}`).sort(), mdirPaths(image));
});

// Entries built by hand from FORMAT.md, for what the tools never write.
function shortEntry(name11: string, attributes: number, options: { ntRes?: number; cluster?: number; size?: number; first?: number } = {}): Uint8Array {
  const entry = new Uint8Array(32);
  entry.set(Array.from(name11, (c) => c.charCodeAt(0)), 0);
  if (options.first !== undefined) entry[0] = options.first;
  entry[11] = attributes;
  entry[12] = options.ntRes ?? 0;
  const cluster = options.cluster ?? 0;
  entry[20] = (cluster >> 16) & 0xff;
  entry[21] = (cluster >> 24) & 0xff;
  entry[26] = cluster & 0xff;
  entry[27] = (cluster >> 8) & 0xff;
  new DataView(entry.buffer).setUint32(28, options.size ?? 0, true);
  return entry;
}

/** The spec's checksum, written again here so the test does not trust the module it checks. */
function checksum(name11: Uint8Array): number {
  let sum = 0;
  for (const byte of name11) sum = (((sum & 1) << 7) + (sum >> 1) + byte) & 0xff;
  return sum;
}

function longEntries(name: string, short: Uint8Array): Uint8Array[] {
  const units: number[] = Array.from(name, (c) => c.charCodeAt(0));
  if (units.length % 13 !== 0) units.push(0);
  while (units.length % 13 !== 0) units.push(0xffff);
  const count = units.length / 13;
  const sum = checksum(short.subarray(0, 11));
  const out: Uint8Array[] = [];
  for (let n = count; n >= 1; n--) {
    const entry = new Uint8Array(32);
    const view = new DataView(entry.buffer);
    entry[0] = n | (n === count ? 0x40 : 0);
    entry[11] = 0x0f;
    entry[13] = sum;
    const part = units.slice((n - 1) * 13, n * 13);
    const offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    offsets.forEach((offset, i) => view.setUint16(offset, part[i] ?? 0, true));
    out.push(entry);
  }
  return out;
}

function directory(...entries: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array((entries.length + 1) * 32);
  entries.forEach((entry, i) => bytes.set(entry, i * 32));
  return bytes;
}

test('readFatDirectory() falls back to the short name when the checksum does not match', () => {
  const short = shortEntry('LONGNA~1TXT', 0x20, { cluster: 5, size: 10 });
  const [lfn1, lfn2] = longEntries('long name file.txt', short);
  assert.ok(lfn1 && lfn2);
  lfn2[13] = (lfn2[13] ?? 0) ^ 0xff;
  const good = readFatDirectory(directory(...longEntries('long name file.txt', short), short), 12);
  assert.equal(good[0]?.name, 'long name file.txt');
  const bad = readFatDirectory(directory(lfn1, lfn2, short), 12);
  assert.equal(bad[0]?.name, 'LONGNA~1.TXT');
  assert.equal(bad[0]?.longName, null);
});

test('readFatDirectory() falls back to the short name when a long entry is missing', () => {
  const short = shortEntry('LONGNA~1TXT', 0x20);
  const [lfn1, , lfn3] = longEntries('a long name spread over three', short);
  assert.ok(lfn1 && lfn3);
  const entries = readFatDirectory(directory(lfn1, lfn3, short), 12);
  assert.equal(entries[0]?.name, 'LONGNA~1.TXT');
});

test('readFatDirectory() applies the case bits and the 0x05 escape', () => {
  const entries = readFatDirectory(
    directory(
      shortEntry('README  TXT', 0x20, { ntRes: 0x08 }),
      shortEntry('README  TXT', 0x20, { ntRes: 0x10 }),
      shortEntry('XE5NAME    ', 0x20, { first: 0x05 }),
    ),
    16,
  );
  assert.deepEqual(
    entries.map((e) => e.name),
    ['readme.TXT', 'README.txt', `${decodeCp437(new Uint8Array([0xe5]))}E5NAME`],
  );
});

test('readFatDirectory() stops at the end marker and keeps the cluster high word only on FAT32', () => {
  const file = shortEntry('FILE    BIN', 0x20, { cluster: 0x00030004, size: 3 });
  const after = shortEntry('HIDDEN  BIN', 0x20);
  const bytes = new Uint8Array(96);
  bytes.set(file, 0);
  bytes.set(after, 64); // behind the zero entry at 32
  assert.equal(readFatDirectory(bytes, 32).length, 1);
  assert.equal(readFatDirectory(bytes, 32)[0]?.firstCluster, 0x00030004);
  assert.equal(readFatDirectory(bytes, 16)[0]?.firstCluster, 0x0004);
});

test('decodeCp437() covers the whole high half of the code page', () => {
  assert.equal(CP437_HIGH_HALF_LENGTH, 128);
  assert.equal(decodeCp437(new Uint8Array([0x80, 0x9a, 0xe1, 0xff])), 'ÇÜß\u00a0');
});
