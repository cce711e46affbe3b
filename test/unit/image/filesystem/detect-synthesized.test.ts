// Signatures byoi cannot make with a real tool here, written byte by byte from their specifications.
// blkid is still the oracle for what they mean.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { writeU32le, writeU64le } from '../../../../src/image/bytes.ts';
import { detectFilesystem } from '../../../../src/image/filesystem/detect-filesystem.ts';
import { lvmCrc } from '../../../../src/image/filesystem/detect-lvm2.ts';
import { blkidProbe } from './_blkid.ts';

const MiB = 1024 * 1024;

/**
 * ZFS: no zpool on these machines, so no real pool is an oracle. Uberblocks are 1 KiB slots from 128 KiB
 * into each 256 KiB label; a slot starts with ub_magic 0x00bab10c in the pool's byte order.
 */
function zfsImage(slots: { label: 0 | 1 | 2 | 3; slot: number; bigEndian?: boolean }[]): Uint8Array {
  const size = 64 * MiB;
  const bytes = new Uint8Array(size);
  const labelOffsets = [0, 256 * 1024, size - 512 * 1024, size - 256 * 1024];
  for (const s of slots) {
    const at = (labelOffsets[s.label] ?? 0) + 128 * 1024 + s.slot * 1024;
    if (s.bigEndian) new DataView(bytes.buffer).setBigUint64(at, 0x00bab10cn, false);
    else writeU64le(bytes, at, 0x00bab10cn);
    writeU64le(bytes, at + 8, 5000n); // ub_version
  }
  return bytes;
}

const zfsCases = [
  { name: 'four uberblocks in the first label', slots: [0, 1, 2, 3].map((slot) => ({ label: 0 as const, slot })), zfs: true },
  { name: 'uberblocks spread over the four labels, big endian', slots: ([0, 1, 2, 3] as const).map((label) => ({ label, slot: 7, bigEndian: true })), zfs: true },
  { name: 'only three uberblocks', slots: [0, 1, 2].map((slot) => ({ label: 0 as const, slot })), zfs: false },
];

for (const c of zfsCases) {
  test(`detectFilesystem() ${c.zfs ? 'finds' : 'does not find'} zfs_member with ${c.name}, like blkid`, async (t) => {
    const bytes = zfsImage(c.slots);
    const found = await detectFilesystem(bufferReadAt(bytes), 0, bytes.length);
    assert.deepEqual(found, c.zfs ? { type: 'zfs_member', label: null, uuid: null } : null);
    if (!needTools(t, 'blkid')) return;
    const image = join(tempDir(t), 'zfs.img');
    writeFileSync(image, bytes);
    assert.equal(blkidProbe(image)?.type ?? null, c.zfs ? 'zfs_member' : null);
  });
}

/** An LVM2 label in `sector`, laid out as in LVM's label.h and format_text/layout.h. */
function lvmImage(sector: number, options: { badCrc?: boolean; wrongSector?: boolean } = {}): Uint8Array {
  const bytes = new Uint8Array(4 * MiB);
  const at = sector * 512;
  const label = bytes.subarray(at, at + 512);
  label.set(Array.from('LABELONE', (c) => c.charCodeAt(0)), 0);
  writeU64le(label, 8, BigInt(options.wrongSector ? sector + 1 : sector));
  writeU32le(label, 20, 32); // offset_xl: the PV header follows the 32-byte label header
  label.set(Array.from('LVM2 001', (c) => c.charCodeAt(0)), 24);
  label.set(Array.from('abcdefGHIJKLmnopqrstUVWXYZ012345', (c) => c.charCodeAt(0)), 32);
  writeU64le(label, 64, 4n * BigInt(MiB)); // device_size_xl
  const crc = lvmCrc(label.subarray(20));
  writeU32le(label, 16, options.badCrc ? crc ^ 1 : crc);
  return bytes;
}

const lvmCases = [
  { name: 'a label in sector 1', sector: 1, options: {}, found: true },
  { name: 'a label in sector 3', sector: 3, options: {}, found: true },
  { name: 'a label with a bad CRC', sector: 1, options: { badCrc: true }, found: false },
  { name: 'a label that names another sector', sector: 1, options: { wrongSector: true }, found: false },
];

for (const c of lvmCases) {
  test(`detectFilesystem() ${c.found ? 'finds' : 'ignores'} LVM2 ${c.name}, like blkid`, async (t) => {
    const bytes = lvmImage(c.sector, c.options);
    const found = await detectFilesystem(bufferReadAt(bytes), 0, bytes.length);
    assert.deepEqual(found, c.found ? { type: 'LVM2_member', label: null, uuid: 'abcdef-GHIJ-KLmn-opqr-stUV-WXYZ-012345' } : null);
    if (!needTools(t, 'blkid')) return;
    const image = join(tempDir(t), 'pv.img');
    writeFileSync(image, bytes);
    assert.deepEqual(blkidProbe(image), found);
  });
}
