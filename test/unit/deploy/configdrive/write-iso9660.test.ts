import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeIso9660 } from '../../../../src/deploy/configdrive/write-iso9660.ts';
import type { ConfigDriveFile } from '../../../../src/deploy/configdrive/config-drive-file.ts';
import { needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import { parseBlkid, patternBytes, readPathTable, writeImageFile } from './_helpers.ts';

const timestamp = new Date('2026-11-25T10:20:31.456Z');
const encoder = new TextEncoder();

const configDriveFiles: ConfigDriveFile[] = [
  { path: 'openstack/latest/meta_data.json', bytes: encoder.encode('{"uuid": "u"}\n') },
  { path: 'openstack/latest/user_data', bytes: patternBytes(300 * 1024, 5) },
  { path: 'openstack/latest/vendor_data.json', bytes: encoder.encode('{}\n') },
  { path: 'openstack/2012-08-10/meta_data.json', bytes: encoder.encode('{"uuid": "u"}\n') },
];

/**
 * `xorriso -indev IMAGE -find / -exec lsdl` in one of its reading modes ("any": Rock Ridge, "norock": Joliet,
 * "ecma119": plain ISO 9660), failing on any warning; returns path -> size.
 */
function xorrisoList(image: string, mode: 'any' | 'norock' | 'ecma119'): Map<string, number> {
  const result = runStatus('xorriso', ['-return_with', 'WARNING', '32', '-read_fs', mode, '-indev', image, '-find', '/', '-exec', 'lsdl']);
  assert.equal(result.status, 0, `xorriso (${mode}) complained:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /WARNING|SORRY|FAILURE/, result.stderr);
  const listing = new Map<string, number>();
  for (const line of result.stdout.split('\n')) {
    const match = /^[-d][rwx-]{9}\s+\d+\s+\d+\s+\d+\s+(\d+) \w{3} [ \d]\d \d\d:\d\d '(.*)'$/.exec(line);
    if (match) listing.set(match[2] as string, Number(match[1]));
  }
  return listing;
}

function expectedPaths(files: readonly ConfigDriveFile[]): string[] {
  const paths = new Set<string>(['/']);
  for (const file of files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) paths.add(`/${parts.slice(0, i).join('/')}`);
    paths.add(`/${file.path}`);
  }
  return [...paths].sort();
}

/** Extracts the whole tree with osirrox and compares every file byte for byte. */
function assertExtracts(image: string, files: readonly ConfigDriveFile[], into: string): void {
  const result = runStatus('xorriso', ['-return_with', 'WARNING', '32', '-osirrox', 'on', '-indev', image, '-extract', '/', into]);
  assert.equal(result.status, 0, result.stderr);
  for (const file of files) assert.deepEqual(new Uint8Array(readFileSync(join(into, file.path))), file.bytes, file.path);
}

test('writeIso9660() writes a volume blkid reports as iso9660 labelled config-2', (t) => {
  if (!needTools(t, 'blkid')) return;
  const path = join(tempDir(t), 'cd.iso');
  const image = writeIso9660(configDriveFiles, { volumeId: 'config-2', timestamp });
  assert.equal(image.sizeBytes % 2048, 0);
  writeImageFile(path, image);
  const fields = parseBlkid(run('blkid', ['-p', '-o', 'export', path]));
  assert.equal(fields.TYPE, 'iso9660');
  assert.equal(fields.LABEL, 'config-2');
  assert.equal(fields.VERSION, 'Joliet Extension');
  assert.equal(fields.UUID, '2026-11-25-10-20-31-45');
});

test('writeIso9660() lets xorriso list and extract every file through Rock Ridge, Joliet and plain ISO 9660', (t) => {
  if (!needTools(t, 'xorriso')) return;
  const dir = tempDir(t);
  const path = join(dir, 'cd.iso');
  writeImageFile(path, writeIso9660(configDriveFiles, { volumeId: 'config-2', timestamp }));
  for (const mode of ['any', 'norock'] as const) {
    const listing = xorrisoList(path, mode);
    assert.deepEqual([...listing.keys()].sort(), expectedPaths(configDriveFiles), mode);
    for (const file of configDriveFiles) assert.equal(listing.get(`/${file.path}`), file.bytes.length, `${mode} ${file.path}`);
  }
  assert.deepEqual([...xorrisoList(path, 'ecma119').keys()].sort(), [
    '/',
    '/OPENSTAC',
    '/OPENSTAC/2012_08_',
    '/OPENSTAC/2012_08_/META_DAT.JSO',
    '/OPENSTAC/LATEST',
    '/OPENSTAC/LATEST/META_DAT.JSO',
    '/OPENSTAC/LATEST/USER_DAT',
    '/OPENSTAC/LATEST/VENDOR_D.JSO',
  ]);
  assertExtracts(path, configDriveFiles, join(dir, 'out'));
});

test('writeIso9660() carries long, unicode and clashing names through continuation areas', (t) => {
  if (!needTools(t, 'xorriso')) return;
  const files: ConfigDriveFile[] = [
    { path: `long/${'文'.repeat(64)}`, bytes: encoder.encode('192 bytes of UTF-8 name: NM goes to a CE area') },
    { path: 'long/meta_data.json', bytes: encoder.encode('one') },
    { path: 'long/Meta_Data.JSON', bytes: encoder.encode('two') },
    { path: 'long/meta data.jsonl', bytes: encoder.encode('three') },
    { path: 'long/empty', bytes: new Uint8Array(0) },
    { path: 'ünïcödé/.hidden', bytes: encoder.encode('dot') },
  ];
  const dir = tempDir(t);
  const path = join(dir, 'names.iso');
  writeImageFile(path, writeIso9660(files, { volumeId: 'config-2', timestamp }));
  for (const mode of ['any', 'norock'] as const) {
    assert.deepEqual([...xorrisoList(path, mode).keys()].sort(), expectedPaths(files), mode);
  }
  const plain = [...xorrisoList(path, 'ecma119').keys()].filter((p) => p.startsWith('/LONG/')).sort();
  assert.equal(new Set(plain).size, 5, 'level 1 names stay unique');
  assertExtracts(path, files, join(dir, 'out'));
});

test('writeIso9660() spreads big directories and path tables over several blocks', (t) => {
  if (!needTools(t, 'xorriso')) return;
  const files: ConfigDriveFile[] = [];
  for (let i = 0; i < 150; i++) files.push({ path: `many/file-with-a-longer-name-${i}.json`, bytes: encoder.encode(String(i)) });
  for (let i = 0; i < 140; i++) files.push({ path: `dirs/directory-${i}/f`, bytes: encoder.encode(`d${i}`) });
  const dir = tempDir(t);
  const path = join(dir, 'big.iso');
  writeImageFile(path, writeIso9660(files, { volumeId: 'config-2', timestamp }));
  for (const mode of ['any', 'norock', 'ecma119'] as const) assert.equal(xorrisoList(path, mode).size, expectedPaths(files).length, mode);
  const iso = readFileSync(path);
  assert.equal(readPathTable(iso, 16, false).length, 143);
  assert.equal(readPathTable(iso, 17, true).length, 143);
  assertExtracts(path, files, join(dir, 'out'));
});

test('writeIso9660() refuses names and options ISO 9660 with Joliet cannot hold', () => {
  const refused: [ConfigDriveFile[], { volumeId?: string; timestamp?: Date }][] = [
    [[{ path: 'a:b', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'semi;colon', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'trailing.', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'x'.repeat(65), bytes: new Uint8Array(1) }], {}],
    [[{ path: '1/2/3/4/5/6/7/8/f', bytes: new Uint8Array(1) }], {}],
    [[{ path: 'lone\uDC00', bytes: new Uint8Array(1) }], {}],
    [[], { volumeId: '' }],
    [[], { volumeId: 'seventeen-chars-x' }],
    [[], { timestamp: new Date('1899-01-01T00:00:00Z') }],
  ];
  for (const [files, overrides] of refused) {
    assert.throws(() => writeIso9660(files, { volumeId: 'config-2', timestamp, ...overrides }), { code: 'BYOI_CONFIGDRIVE_FAILED' }, JSON.stringify(files.map((f) => f.path)));
  }
  assert.doesNotThrow(() => writeIso9660([{ path: '1/2/3/4/5/6/7/f', bytes: new Uint8Array(1) }], { volumeId: 'config-2', timestamp }), '8 levels are allowed');
});

test('writeIso9660() gives the same extents for the same input', () => {
  assert.deepEqual(writeIso9660(configDriveFiles, { volumeId: 'config-2', timestamp }), writeIso9660(configDriveFiles, { volumeId: 'config-2', timestamp }));
});

test('writeIso9660() orders path tables as xorrisofs does, with Type L and M tables that agree', (t) => {
  if (!needTools(t, 'xorrisofs')) return;
  const files: ConfigDriveFile[] = [
    { path: 'openstack/latest/meta_data.json', bytes: encoder.encode('{}') },
    { path: 'openstack/2012-08-10/meta_data.json', bytes: encoder.encode('{}') },
    { path: 'b/Zeta/f', bytes: encoder.encode('z') },
    { path: 'b/alpha/x/f', bytes: encoder.encode('x') },
    { path: 'B2/f', bytes: encoder.encode('2') },
  ];
  const dir = tempDir(t);
  for (const file of files) {
    mkdirSync(dirname(join(dir, 'tree', file.path)), { recursive: true });
    writeFileSync(join(dir, 'tree', file.path), file.bytes);
  }
  run('xorrisofs', ['-quiet', '-J', '-r', '-V', 'config-2', '-o', join(dir, 'reference.iso'), join(dir, 'tree')]);
  const ours = join(dir, 'ours.iso');
  writeImageFile(ours, writeIso9660(files, { volumeId: 'config-2', timestamp }));
  const reference = readFileSync(join(dir, 'reference.iso'));
  const mine = readFileSync(ours);
  const shape = (records: { identifier: string; parent: number }[]): string[] => records.map((r) => `${r.parent}:${r.identifier}`);
  assert.deepEqual(shape(readPathTable(mine, 16, false)), shape(readPathTable(reference, 16, false)), 'primary path table');
  assert.deepEqual(shape(readPathTable(mine, 17, true)), shape(readPathTable(reference, 17, true)), 'Joliet path table');
});
