import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { listFatTree } from '../../../../src/image/fat/list-fat-tree.ts';
import { FAT_TOOLS, loadImage, makeFatImage, mdirPaths, mkdirs, mtoolsImage, mtypeBytes, putFile, someBytes } from './_fat-fixtures.ts';

/** A tree like a real ESP plus the awkward cases: long names, nesting, an empty file, a hidden file. */
function fillEspLikeTree(image: string, dir: string, offset = 0): void {
  mkdirs(image, ['\\EFI', '\\EFI\\BOOT', '\\EFI\\debian', '\\Long Directory Name', '\\Long Directory Name\\nested dir'], offset);
  putFile(image, '\\EFI\\BOOT\\BOOTX64.EFI', someBytes(3000), dir, offset);
  putFile(image, '\\EFI\\BOOT\\fbx64.efi', someBytes(700), dir, offset);
  putFile(image, '\\EFI\\debian\\shimx64.efi', someBytes(5000), dir, offset);
  putFile(image, '\\EFI\\debian\\grubx64.efi', someBytes(4100), dir, offset);
  putFile(image, '\\EFI\\debian\\grub.cfg', new TextEncoder().encode('search --fs-uuid 1234\n'), dir, offset);
  putFile(image, '\\Long Directory Name\\nested dir\\file with a rather long name.txt', someBytes(1), dir, offset);
  putFile(image, '\\empty', new Uint8Array(0), dir, offset);
  putFile(image, '\\hidden.sys', someBytes(10), dir, offset);
  run('mattrib', ['+h', '+s', '-i', mtoolsImage(image, offset), '::/hidden.sys']);
}

for (const fatBits of [12, 16, 32] as const) {
  test(`listFatTree() lists the same tree as mdir on FAT${fatBits}`, async (t) => {
    if (!needTools(t, ...FAT_TOOLS, 'mattrib')) return;
    const dir = tempDir(t);
    const sizeKiB = fatBits === 12 ? 1024 : fatBits === 16 ? 16 * 1024 : 40 * 1024;
    const image = makeFatImage(dir, 'fat.img', { fatBits, sizeKiB, label: 'ESP', sectorsPerCluster: 1 });
    fillEspLikeTree(image, dir);
    const source = loadImage(image);
    const tree = await listFatTree(source, 0, source.size);

    assert.deepEqual(tree.map((e) => e.path).sort(), mdirPaths(image));
    for (const entry of tree) {
      if (entry.isDirectory) continue;
      assert.equal(entry.size, mtypeBytes(image, entry.path).length, entry.path);
    }
    const directories = tree.filter((e) => e.isDirectory).map((e) => e.path).sort();
    assert.deepEqual(directories, ['\\EFI', '\\EFI\\BOOT', '\\EFI\\debian', '\\Long Directory Name', '\\Long Directory Name\\nested dir']);
    // Depth first: a directory comes before what it holds.
    const index = (path: string): number => tree.findIndex((e) => e.path === path);
    assert.ok(index('\\EFI\\debian') < index('\\EFI\\debian\\grubx64.efi'));
    assert.equal((tree.find((e) => e.path === '\\hidden.sys')?.attributes ?? 0) & 0x06, 0x06, 'hidden and system');
  });
}

test('listFatTree() lists a volume inside a disk image', async (t) => {
  if (!needTools(t, ...FAT_TOOLS, 'mattrib')) return;
  const dir = tempDir(t);
  const offset = 2048 * 512;
  const image = makeFatImage(dir, 'disk.img', { fatBits: 16, sizeKiB: 16 * 1024, offsetSectors: 2048 });
  fillEspLikeTree(image, dir, offset);
  const source = loadImage(image);
  const tree = await listFatTree(source, offset, 16 * 1024 * 1024);
  assert.deepEqual(tree.map((e) => e.path).sort(), mdirPaths(image, offset));
});

test('listFatTree() walks a deep tree without recursion', async (t) => {
  if (!needTools(t, ...FAT_TOOLS)) return;
  const dir = tempDir(t);
  const image = makeFatImage(dir, 'fat.img', { fatBits: 16, sizeKiB: 16 * 1024 });
  const levels: string[] = [];
  let path = '';
  for (let depth = 1; depth <= 40; depth++) {
    path += `\\d${depth}`;
    levels.push(path);
  }
  mkdirs(image, levels);
  putFile(image, `${path}\\leaf.txt`, someBytes(5), dir);
  const source = loadImage(image);
  const tree = await listFatTree(source, 0, source.size);
  assert.deepEqual(tree.map((e) => e.path).sort(), mdirPaths(image));
  assert.equal(tree.length, 41);
});

test('listFatTree() reads a FAT32 directory that spans many clusters', async (t) => {
  if (!needTools(t, ...FAT_TOOLS)) return;
  const dir = tempDir(t);
  const image = makeFatImage(dir, 'fat.img', { fatBits: 32, sizeKiB: 40 * 1024, sectorsPerCluster: 1 });
  mkdirs(image, ['\\many']);
  // 80 long names of 3 entries each: 320 entries, 20 clusters of 512 bytes.
  for (let i = 0; i < 80; i++) putFile(image, `\\many\\file number ${String(i).padStart(3, '0')} with a long name`, someBytes(1), dir);
  for (let i = 0; i < 40; i++) putFile(image, `\\root file ${i} with a long name`, someBytes(1), dir);
  const source = loadImage(image);
  const tree = await listFatTree(source, 0, source.size);
  assert.equal(tree.length, 121);
  assert.deepEqual(tree.map((e) => e.path).sort(), mdirPaths(image));
});
