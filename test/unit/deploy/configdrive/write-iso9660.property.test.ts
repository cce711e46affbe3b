import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { writeIso9660 } from '../../../../src/deploy/configdrive/write-iso9660.ts';
import type { ConfigDriveFile } from '../../../../src/deploy/configdrive/config-drive-file.ts';
import { needTools, runStatus, tempDir } from '../../../helpers/tools.ts';
import { patternBytes, readPathTable, writeImageFile } from './_helpers.ts';

const KiB = 1024;

/** Name characters: both cases, digits, punctuation Joliet allows, and BMP letters outside ASCII (up to 3 UTF-8 bytes). */
const nameChars = [...'abcxyzABCXYZ0189', ...' .-_+,=~!#()@[]\'', ...'éüßñЖΩ文件€'];

/** Joliet readers drop trailing periods, so names do not end with one (writeIso9660 refuses them). */
const nameArbitrary = fc
  .string({ unit: fc.constantFrom(...nameChars), minLength: 1, maxLength: 64 })
  .map((name) => name.replace(/\.+$/, ''))
  .map((name) => (name === '' ? 'x' : name));

const entryArbitrary = fc.record({
  directories: fc.array(nameArbitrary, { maxLength: 3 }),
  name: nameArbitrary,
  size: fc.oneof(fc.integer({ min: 0, max: 4 * KiB }), fc.integer({ min: 0, max: 300 * KiB })),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** Keeps the entries that can coexist: no path twice, no file where a directory goes (names are case-sensitive here). */
function toFiles(entries: readonly { directories: string[]; name: string; size: number; seed: number }[]): ConfigDriveFile[] {
  const filePaths = new Set<string>();
  const directoryPaths = new Set<string>();
  const files: ConfigDriveFile[] = [];
  for (const entry of entries) {
    const parts = [...entry.directories, entry.name];
    const path = parts.join('/');
    const prefixes = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
    if (filePaths.has(path) || directoryPaths.has(path) || prefixes.some((prefix) => filePaths.has(prefix))) continue;
    for (const prefix of prefixes) directoryPaths.add(prefix);
    filePaths.add(path);
    files.push({ path, bytes: patternBytes(entry.size, entry.seed) });
  }
  return files;
}

function listing(image: string, mode: 'any' | 'norock'): string[] {
  const result = runStatus('xorriso', ['-return_with', 'WARNING', '32', '-read_fs', mode, '-indev', image, '-find', '/', '-type', 'f']);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith("'/"))
    .map((line) => line.slice(2, -1).replace(/'"'"'/g, "'"))
    .sort();
}

test('writeIso9660() writes random file sets that xorriso lists and extracts identically', (t) => {
  if (!needTools(t, 'xorriso')) return;
  const dir = tempDir(t);
  let run = 0;
  fc.assert(
    fc.property(fc.array(entryArbitrary, { minLength: 1, maxLength: 12 }), (entries) => {
      const files = toFiles(entries);
      const path = join(dir, `random-${run}.iso`);
      writeImageFile(path, writeIso9660(files, { volumeId: 'config-2', timestamp: new Date('2026-11-25T00:00:00Z') }));
      const expected = files.map((f) => f.path).sort();
      assert.deepEqual(listing(path, 'any'), expected, 'Rock Ridge names');
      assert.deepEqual(listing(path, 'norock'), expected, 'Joliet names');
      const iso = readFileSync(path);
      assert.equal(readPathTable(iso, 16, false).length, readPathTable(iso, 17, true).length);
      const out = join(dir, `out-${run++}`);
      const extract = runStatus('xorriso', ['-return_with', 'WARNING', '32', '-osirrox', 'on', '-indev', path, '-extract', '/', out]);
      assert.equal(extract.status, 0, extract.stderr);
      for (const file of files) assert.deepEqual(new Uint8Array(readFileSync(join(out, file.path))), file.bytes, file.path);
    }),
    { numRuns: 10 },
  );
});
