import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { writeFatFilesystem } from '../../../../src/deploy/configdrive/write-fat-filesystem.ts';
import type { ConfigDriveFile } from '../../../../src/deploy/configdrive/config-drive-file.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { fsckProblems, listFat, mtools, patternBytes, writeImageFile } from './_helpers.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Characters of the generated names: both cases, digits, characters 8.3 names must replace, and BMP letters
 * outside ASCII. Left out: what FAT forbids, and `[` `]`, which mtools takes as wildcards when looking a file
 * up. Characters outside the BMP are left out too: mtools 4.0 reads long names as UCS-2, not UTF-16.
 */
const nameChars = [
  ...'abcxyzABCXYZ0189',
  ...' .-_+,;=~!#()@\'',
  ...'éüßñЖΩ文件€',
];

/** A FAT-valid name: no leading space, no trailing period or space (FAT readers strip those). */
const nameArbitrary = fc
  .string({ unit: fc.constantFrom(...nameChars), minLength: 1, maxLength: 200 })
  .map((raw) => raw.replace(/^ +/, '').replace(/[. ]+$/, ''))
  .map((name) => (name === '' ? 'x' : name));

const entryArbitrary = fc.record({
  directories: fc.array(nameArbitrary, { maxLength: 3 }),
  name: nameArbitrary,
  size: fc.oneof(fc.integer({ min: 0, max: 4 * KiB }), fc.integer({ min: 0, max: 300 * KiB })),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** Keeps the entries that can coexist on FAT: no path twice (case-insensitively), no file where a directory goes. */
function toFiles(entries: readonly { directories: string[]; name: string; size: number; seed: number }[]): ConfigDriveFile[] {
  const fold = (path: string): string => path.toUpperCase();
  const filePaths = new Set<string>();
  const directoryPaths = new Set<string>();
  const files: ConfigDriveFile[] = [];
  for (const entry of entries) {
    const parts = [...entry.directories, entry.name];
    const path = parts.join('/');
    const prefixes = parts.slice(0, -1).map((_, i) => fold(parts.slice(0, i + 1).join('/')));
    if (filePaths.has(fold(path)) || directoryPaths.has(fold(path)) || prefixes.some((prefix) => filePaths.has(prefix))) continue;
    for (const prefix of prefixes) directoryPaths.add(prefix);
    filePaths.add(fold(path));
    files.push({ path, bytes: patternBytes(entry.size, entry.seed) });
  }
  return files;
}

function expectedListing(files: readonly ConfigDriveFile[]): string[] {
  const paths = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) paths.add(`${parts.slice(0, i).join('/')}/`);
    paths.add(file.path);
  }
  return [...paths].sort();
}

test('writeFatFilesystem() writes random file sets that fsck.vfat accepts and mtools reads back identically', (t) => {
  if (!needTools(t, 'fsck.vfat', 'mdir', 'mtype')) return;
  const dir = tempDir(t);
  let run = 0;
  fc.assert(
    fc.property(fc.array(entryArbitrary, { minLength: 1, maxLength: 12 }), fc.constantFrom(512, 4096), (entries, sectorSize) => {
      const files = toFiles(entries);
      const image = writeFatFilesystem(files, { label: 'config-2', sizeBytes: 64 * MiB, sectorSize, volumeId: run, timestamp: new Date('2026-11-25T00:00:00Z') });
      const path = join(dir, `random-${run++}.img`);
      writeImageFile(path, image);
      assert.deepEqual(fsckProblems(path), []);
      // `files` may share a folded path with a directory only in the listing's case, which mtools shows as stored.
      assert.deepEqual(listFat(path), expectedListing(files));
      for (const file of files) {
        assert.deepEqual(new Uint8Array(mtools('mtype', ['-i', path, `::/${file.path}`])), file.bytes, file.path);
      }
    }),
    { numRuns: 15 },
  );
});
