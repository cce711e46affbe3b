import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { openFatVolume } from '../../../../src/image/fat/open-fat-volume.ts';
import { readClusterChain } from '../../../../src/image/fat/read-cluster-chain.ts';
import { readFatFile } from '../../../../src/image/fat/read-fat-file.ts';
import { listFatTree } from '../../../../src/image/fat/list-fat-tree.ts';
import { deleteFile, FAT_TOOLS, loadImage, makeFatImage, mkdirs, mtypeBytes, putFile, someBytes } from './_fat-fixtures.ts';

for (const fatBits of [12, 16, 32] as const) {
  test(`readFatFile() returns what mtype prints for every file of a FAT${fatBits} volume`, async (t) => {
    if (!needTools(t, ...FAT_TOOLS)) return;
    const dir = tempDir(t);
    const sizeKiB = fatBits === 12 ? 1024 : fatBits === 16 ? 16 * 1024 : 40 * 1024;
    const image = makeFatImage(dir, 'fat.img', { fatBits, sizeKiB, sectorsPerCluster: 1 });
    mkdirs(image, ['\\EFI', '\\EFI\\debian']);
    putFile(image, '\\EFI\\debian\\grubx64.efi', someBytes(70_000), dir);
    putFile(image, '\\EFI\\debian\\grub.cfg', new TextEncoder().encode('configfile $prefix/grub.cfg\n'), dir);
    putFile(image, '\\one cluster exactly.bin', someBytes(512), dir);
    putFile(image, '\\empty', new Uint8Array(0), dir);
    const source = loadImage(image);
    for (const entry of await listFatTree(source, 0, source.size)) {
      if (entry.isDirectory) continue;
      const bytes = await readFatFile(source, 0, source.size, entry.path);
      assert.deepEqual(bytes, mtypeBytes(image, entry.path), entry.path);
    }
  });
}

test('readFatFile() follows a file spread over fragmented clusters', async (t) => {
  if (!needTools(t, ...FAT_TOOLS)) return;
  const dir = tempDir(t);
  const image = makeFatImage(dir, 'fat.img', { fatBits: 12, sizeKiB: 1024, sectorsPerCluster: 1 });
  putFile(image, '\\a.bin', someBytes(3 * 512), dir);
  putFile(image, '\\b.bin', someBytes(3 * 512), dir);
  putFile(image, '\\c.bin', someBytes(3 * 512), dir);
  deleteFile(image, '\\b.bin');
  // d.bin fills b's three free clusters first, then continues after c.bin.
  putFile(image, '\\d.bin', someBytes(10 * 512 + 17), dir);
  const source = loadImage(image);

  const tree = await listFatTree(source, 0, source.size);
  const d = tree.find((e) => e.path === '\\d.bin');
  assert.ok(d);
  const volume = await openFatVolume(source, 0, source.size);
  const chain = await readClusterChain(volume, d.firstCluster, { structure: 'test' });
  assert.equal(chain.length, 11);
  const gaps = chain.filter((cluster, i) => i > 0 && cluster !== (chain[i - 1] ?? 0) + 1).length;
  assert.ok(gaps >= 1, `expected a fragmented chain, got ${chain.join(',')}`);

  assert.deepEqual(await readFatFile(source, 0, source.size, '\\d.bin'), mtypeBytes(image, '\\d.bin'));
});

test('readFatFile() matches names without regard to case, by long or short name', async (t) => {
  if (!needTools(t, ...FAT_TOOLS)) return;
  const dir = tempDir(t);
  const image = makeFatImage(dir, 'fat.img', { fatBits: 16, sizeKiB: 16 * 1024 });
  mkdirs(image, ['\\EFI', '\\EFI\\Microsoft', '\\EFI\\Microsoft\\Boot']);
  const content = someBytes(1234);
  putFile(image, '\\EFI\\Microsoft\\Boot\\bootmgfw.efi', content, dir);
  const source = loadImage(image);
  const read = (path: string): Promise<Uint8Array | null> => readFatFile(source, 0, source.size, path);
  assert.deepEqual(await read('\\efi\\microsoft\\boot\\BOOTMGFW.EFI'), content);
  assert.deepEqual(await read('/EFI/MICROS~1/Boot/bootmgfw.efi'), content, 'the 8.3 alias of "Microsoft"');
  assert.deepEqual(await read('EFI//Microsoft\\boot/bootmgfw.efi'), content);
  assert.equal(await read('\\EFI\\Microsoft\\Boot\\missing.efi'), null);
  assert.equal(await read('\\EFI\\Microsoft\\Boot'), null, 'a directory is not a file');
  assert.equal(await read('\\EFI\\Microsoft\\Boot\\bootmgfw.efi\\deeper'), null);
  assert.equal(await read('\\'), null);
});
