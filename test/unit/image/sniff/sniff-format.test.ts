import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hasFixedVhdFooter } from '../../../../src/image/sniff/has-fixed-vhd-footer.ts';
import { sniffFormat } from '../../../../src/image/sniff/sniff-format.ts';
import { hasTool, needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import { makeCompressedRaws, makeCryptsetupLuks, makeQemuContainers } from '../../../fixtures/container-fixtures.ts';
import { qemuImgInfo } from '../../../fixtures/qcow2-fixtures.ts';

const dir = tempDir({ after }, 'byoi-sniff-');
const MiB = 1024 * 1024;

/** What byoi's preflight gives sniffFormat(): the first MiB and the last 4 KiB. */
function sniffFile(path: string): string {
  const bytes = readFileSync(path);
  return sniffFormat(bytes.subarray(0, MiB), bytes.subarray(Math.max(0, bytes.length - 4096)));
}

test('sniffFormat() names every format qemu-img creates as qemu-img info does', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  for (const fixture of makeQemuContainers(dir)) {
    await t.test(fixture.name, () => {
      // qemu-img info without -f probes, as byoi does (a fixed VHD is the one it probes as raw: see below).
      const probed = fixture.infoOptions.length === 0 ? qemuImgInfo(fixture.path).format : 'raw';
      assert.equal(sniffFile(fixture.path), probed);
    });
  }
});

test('sniffFormat() calls a fixed VHD raw, as qemu-img does, and hasFixedVhdFooter() finds its footer', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const fixed = join(dir, 'fixed.vpc');
  run('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=fixed', fixed, '2M']);
  assert.equal(qemuImgInfo(fixed).format, 'raw');
  assert.equal(sniffFile(fixed), 'raw');
  const bytes = readFileSync(fixed);
  assert.equal(hasFixedVhdFooter(bytes.subarray(bytes.length - 4096)), true);

  const dynamic = join(dir, 'dynamic.vpc');
  run('qemu-img', ['create', '-q', '-f', 'vpc', dynamic, '2M']);
  const dynamicBytes = readFileSync(dynamic);
  assert.equal(hasFixedVhdFooter(dynamicBytes.subarray(dynamicBytes.length - 512)), false);
  assert.equal(hasFixedVhdFooter(new Uint8Array(100)), false);
});

test('sniffFormat() names gzip, xz, zstd and bzip2 files by their magic', async (t) => {
  const made = makeCompressedRaws(dir);
  if (made.length === 0) {
    t.skip('none of gzip, xz, zstd, bzip2 is installed');
    return;
  }
  for (const { format, path } of made) {
    assert.equal(sniffFile(path), format, path);
    // A second oracle when file(1) is there (CI does not install it): it agrees on what the tool made.
    if (hasTool('file')) {
      const names: Record<string, RegExp> = { gzip: /gzip/, xz: /XZ/, zstd: /Zstandard/, bzip2: /bzip2/ };
      assert.match(run('file', ['-b', path]), names[format] as RegExp);
    }
  }
});

test('sniffFormat() names LUKS1 and LUKS2 volumes luks (qemu-img 7.2 probes LUKS2 as raw)', async (t) => {
  if (!needTools(t, 'qemu-img', 'cryptsetup')) return;
  const luks1 = makeCryptsetupLuks(dir, 'luks1') as string;
  assert.equal(qemuImgInfo(luks1).format, 'luks');
  assert.equal(sniffFile(luks1), 'luks');
  const luks2 = makeCryptsetupLuks(dir, 'luks2') as string;
  assert.equal(qemuImgInfo(luks2).format, 'raw');
  assert.equal(sniffFile(luks2), 'luks');
});

test("sniffFormat() follows qemu's probe for VMDK text descriptors", async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  run('qemu-img', ['create', '-q', '-f', 'raw', join(dir, 'extent-flat.img'), '1M']);
  const extent = 'RW 2048 FLAT "extent-flat.img" 0\ncreateType="monolithicFlat"\n';
  const cases: [string, string][] = [
    ['plain', `# Disk DescriptorFile\nversion=1\n${extent}`],
    ['comments and blank lines first', `# one\n# two\n   \n\nversion=2\n${extent}`],
    ['CRLF line ends', `# Disk DescriptorFile\r\nversion=1\r\n${extent.replace(/\n/g, '\r\n')}`],
    ['version 4', `# Disk DescriptorFile\nversion=4\n${extent}`],
    ['another line before version', `CID=1234\nversion=1\n${extent}`],
    ['a blank line with text', `# x\n  text\nversion=1\n${extent}`],
    ['version after 512 bytes of comments', `${'#'.repeat(600)}\nversion=1\n${extent}`],
  ];
  for (const [name, text] of cases) {
    const path = join(dir, `descriptor-${name.replace(/\W+/g, '-')}.vmdk`);
    writeFileSync(path, text);
    const probed = runStatus('qemu-img', ['info', '--output=json', path]);
    const expected = probed.status === 0 ? (JSON.parse(probed.stdout) as { format: string }).format : 'vmdk';
    assert.equal(sniffFile(path), expected, name);
  }
});

test("sniffFormat() reads a short file as qemu's probes do, as if padded with zeros to 512 bytes", async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const probe = (bytes: Uint8Array): string => {
    const path = join(dir, 'short.img');
    writeFileSync(path, bytes);
    const result = runStatus('qemu-img', ['info', '--output=json', path]);
    // qemu-img fails to open some of these; its error names the driver it picked.
    if (result.status === 0) return (JSON.parse(result.stdout) as { format: string }).format;
    if (/Unsupported cluster size/.test(result.stderr)) return 'qcow2'; // qcow2_do_open()
    if (/Image size is too small/.test(result.stderr)) return 'qcow'; // qcow_open()
    return `error: ${result.stderr}`;
  };
  const bytes = new Uint8Array(100);
  bytes.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);
  assert.equal(sniffFormat(bytes), probe(bytes));
  bytes[7] = 1;
  assert.equal(sniffFormat(bytes), probe(bytes));
  bytes[7] = 0;
  assert.equal(sniffFormat(bytes), probe(bytes));
  assert.equal(sniffFormat(new Uint8Array(0)), probe(new Uint8Array(0)));
});

test('sniffFormat() names an Apple disk image by its koly trailer, and anything else raw', () => {
  const tail = new Uint8Array(4096);
  const koly = tail.length - 512;
  tail.set([0x6b, 0x6f, 0x6c, 0x79, 0, 0, 0, 4, 0, 0, 2, 0], koly);
  assert.equal(sniffFormat(new Uint8Array(512), tail), 'dmg');
  assert.equal(sniffFormat(new Uint8Array(512)), 'raw');
  assert.equal(sniffFormat(new Uint8Array(0)), 'raw');
  assert.equal(sniffFormat(new Uint8Array(512), new Uint8Array(10)), 'raw');
});
