import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFatFilesystem, type FatFilesystemOptions } from '../../../../src/deploy/configdrive/write-fat-filesystem.ts';
import type { ConfigDriveFile } from '../../../../src/deploy/configdrive/config-drive-file.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { fsckProblems, listFat, mtools, parseBlkid, patternBytes, writeImageFile } from './_helpers.ts';

const MiB = 1024 * 1024;
const timestamp = new Date('2026-11-25T10:20:31.456Z');
const encoder = new TextEncoder();

function options(overrides: Partial<FatFilesystemOptions> = {}): FatFilesystemOptions {
  return { label: 'config-2', sizeBytes: 64 * MiB, sectorSize: 512, volumeId: 0x1234abcd, timestamp, ...overrides };
}

const configDriveFiles: ConfigDriveFile[] = [
  { path: 'openstack/latest/meta_data.json', bytes: encoder.encode('{"uuid": "u"}\n') },
  { path: 'openstack/latest/user_data', bytes: encoder.encode('#cloud-config\n') },
  { path: 'openstack/2012-08-10/meta_data.json', bytes: encoder.encode('{"uuid": "u"}\n') },
];

function assertFsckClean(image: string): void {
  assert.deepEqual(fsckProblems(image), [], `fsck.vfat -n -v ${image}`);
}

test('writeFatFilesystem() writes a volume label blkid reads', (t) => {
  if (!needTools(t, 'blkid')) return;
  const path = join(tempDir(t), 'fat.img');
  writeImageFile(path, writeFatFilesystem(configDriveFiles, options()));
  const fields = parseBlkid(run('blkid', ['-p', '-o', 'export', path]));
  assert.equal(fields.TYPE, 'vfat');
  assert.equal(fields.LABEL, 'config-2', 'LABEL comes from the root directory entry');
  assert.equal(fields.LABEL_FATBOOT, 'config-2', 'LABEL_FATBOOT comes from the boot sector');
  assert.equal(fields.UUID, '1234-ABCD');
  assert.equal(fields.VERSION, 'FAT16');
  assert.equal(fields.SEC_TYPE, 'msdos');
});

test('writeFatFilesystem() passes fsck.vfat for FAT12, FAT16 and FAT32 with 512 and 4096-byte sectors', (t) => {
  if (!needTools(t, 'fsck.vfat', 'minfo', 'mdir', 'blkid')) return;
  const dir = tempDir(t);
  const cases = [
    { sizeBytes: 1 * MiB, sectorSize: 512, fatType: 12 },
    { sizeBytes: 4 * MiB, sectorSize: 4096, fatType: 12 },
    { sizeBytes: 64 * MiB, sectorSize: 512, fatType: 16 },
    { sizeBytes: 64 * MiB, sectorSize: 4096, fatType: 16 },
    { sizeBytes: 600 * MiB, sectorSize: 512, fatType: 32 },
    { sizeBytes: 1024 * MiB, sectorSize: 4096, fatType: 32 },
  ];
  for (const { sizeBytes, sectorSize, fatType } of cases) {
    const image = writeFatFilesystem(configDriveFiles, options({ sizeBytes, sectorSize, hiddenSectors: 2048 }));
    assert.equal(image.layout.fatType, fatType, `${sizeBytes}/${sectorSize}`);
    const path = join(dir, `fat-${sizeBytes}-${sectorSize}.img`);
    writeImageFile(path, image);
    assertFsckClean(path);
    const info = mtools('minfo', ['-i', path, '::']).toString();
    assert.match(info, new RegExp(`sector size: ${sectorSize} bytes`));
    assert.match(info, /disk label="config-2   "/);
    assert.match(info, /hidden sectors: 2048/);
    assert.deepEqual(listFat(path), [
      'openstack/',
      'openstack/2012-08-10/',
      'openstack/2012-08-10/meta_data.json',
      'openstack/latest/',
      'openstack/latest/meta_data.json',
      'openstack/latest/user_data',
    ]);
    const fields = parseBlkid(run('blkid', ['-p', '-o', 'export', path]));
    assert.equal(fields.LABEL, 'config-2');
    assert.equal(fields.VERSION, `FAT${fatType}`);
    assert.equal(fields.BLOCK_SIZE, String(sectorSize));
  }
});

test('writeFatFilesystem() stores long names, 8.3 names and nested directories that mtools reads back', (t) => {
  if (!needTools(t, 'fsck.vfat', 'mdir', 'mtype')) return;
  const files: ConfigDriveFile[] = [
    { path: 'meta_data.json', bytes: encoder.encode('meta') },
    { path: 'README.TXT', bytes: encoder.encode('plain 8.3') },
    { path: 'a b c.txt', bytes: encoder.encode('spaces') },
    { path: 'ünïcödé-文件.txt', bytes: encoder.encode('unicode') },
    { path: '.hidden', bytes: encoder.encode('dot') },
    { path: 'x.tar.gz', bytes: patternBytes(300 * 1024, 7) },
    { path: 'empty', bytes: new Uint8Array(0) },
    { path: `dir/${'é'.repeat(100)}${'x'.repeat(155)}`, bytes: encoder.encode('255 units') },
    { path: 'dir/sub/deeper/still/file.bin', bytes: patternBytes(4097, 3) },
    { path: 'Dir2/exactly-13-ch', bytes: encoder.encode('13') },
    { path: 'Dir2/exactly-26-characters-', bytes: encoder.encode('26') },
  ];
  const path = join(tempDir(t), 'names.img');
  writeImageFile(path, writeFatFilesystem(files, options({ sizeBytes: 8 * MiB })));
  assertFsckClean(path);
  assert.deepEqual(listFat(path), [...files.map((f) => f.path), 'dir/', 'dir/sub/', 'dir/sub/deeper/', 'dir/sub/deeper/still/', 'Dir2/'].sort());
  for (const file of files) {
    const read = mtools('mtype', ['-i', path, `::/${file.path}`]);
    assert.deepEqual(new Uint8Array(read), file.bytes, file.path);
  }
  const listing = mtools('mdir', ['-a', '-i', path, '::']).toString();
  assert.match(listing, /^META_D~1 JSO\s+4 .*meta_data\.json$/m);
  assert.match(listing, /^README   TXT\s+9 \S+\s+\S+\s*$/m, 'an upper-case 8.3 name needs no long name');
});

test('writeFatFilesystem() grows the root directory past 512 entries', (t) => {
  if (!needTools(t, 'fsck.vfat', 'mdir')) return;
  const files = Array.from({ length: 300 }, (_, i) => ({ path: `file number ${i}.json`, bytes: encoder.encode(String(i)) }));
  const image = writeFatFilesystem(files, options());
  assert.ok(image.layout.rootEntryCount > 512);
  const path = join(tempDir(t), 'root.img');
  writeImageFile(path, image);
  assertFsckClean(path);
  assert.equal(listFat(path).length, 300);
});

test('writeFatFilesystem() fills a volume to its last cluster and refuses one byte more', (t) => {
  if (!needTools(t, 'fsck.vfat', 'mtype')) return;
  const probe = writeFatFilesystem([], options({ sizeBytes: 1 * MiB }));
  const capacity = probe.layout.clusterCount * probe.layout.sectorsPerCluster * probe.layout.bytesPerSector;
  const full = patternBytes(capacity, 11);
  const path = join(tempDir(t), 'full.img');
  writeImageFile(path, writeFatFilesystem([{ path: 'big', bytes: full }], options({ sizeBytes: 1 * MiB })));
  assertFsckClean(path);
  assert.deepEqual(new Uint8Array(mtools('mtype', ['-i', path, '::/big'])), full);
  assert.throws(
    () => writeFatFilesystem([{ path: 'big', bytes: new Uint8Array(capacity + 1) }], options({ sizeBytes: 1 * MiB })),
    (error: { code?: string; detail?: string }) => error.code === 'BYOI_CONFIGDRIVE_FAILED' && /need \d+ clusters/.test(error.detail ?? ''),
  );
});

test('writeFatFilesystem() refuses names, labels and options FAT cannot hold', () => {
  const refused: [ConfigDriveFile[], Partial<FatFilesystemOptions>][] = [
    [[{ path: 'a:b', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'trailing.', bytes: new Uint8Array(1) }], {}],
    [[{ path: ' leading', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'x'.repeat(256), bytes: new Uint8Array(1) }], {}],
    [[{ path: 'lone\uD800', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'Same', bytes: new Uint8Array(1) }, { path: 'SAME', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'a/b', bytes: new Uint8Array(1) }, { path: 'a', bytes: new Uint8Array(1) }], {}],
    [[{ path: '/abs', bytes: new Uint8Array(1) }], {}],
    [[], { label: 'config.2' }],
    [[], { label: 'twelve chars' }],
    [[], { volumeId: -1 }],
    [[], { timestamp: new Date('1979-12-31T00:00:00Z') }],
    [[], { sizeBytes: 64 * MiB + 100 }],
  ];
  for (const [files, overrides] of refused) {
    assert.throws(() => writeFatFilesystem(files, options(overrides)), { code: 'BYOI_CONFIGDRIVE_FAILED' }, JSON.stringify({ files: files.map((f) => f.path), overrides }));
  }
});

test('writeFatFilesystem() gives the same extents for the same input', () => {
  const a = writeFatFilesystem(configDriveFiles, options());
  const b = writeFatFilesystem(configDriveFiles, options());
  assert.deepEqual(a, b);
  for (let i = 1; i < a.extents.length; i++) {
    const previous = a.extents[i - 1];
    const current = a.extents[i];
    assert.ok(previous && current && previous.offset + previous.bytes.length <= current.offset, 'extents are sorted and do not overlap');
  }
});
