import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readGpt } from '../../../../src/image/gpt/read-gpt.ts';
import { gptTypeName, gptTypeNames, mbrTypeName, mbrTypeNames } from '../../../../src/image/partition-table/partition-type-names.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { fileDisk, MiB, sgdiskImage } from './_fixtures.ts';

/** `sfdisk --list-types` for a label: id → name. */
function sfdiskTypes(label: 'gpt' | 'dos'): Map<string, string> {
  const types = new Map<string, string>();
  for (const line of run('sfdisk', ['--list-types', '--label', label]).split('\n')) {
    const row = /^\s*([0-9A-Fa-f-]+)\s{2,}(.+)$/.exec(line);
    if (row) types.set((row[1] as string).toUpperCase(), row[2] as string);
  }
  return types;
}

// Types this util-linux (2.38) does not list yet; their GUIDs are checked against sgdisk's codes below.
const newerThanLibfdisk: Record<string, string> = {
  'CA7D7CCB-63ED-4C53-861C-1742536059CC': '8309',
  '7FFEC5C9-2D00-49B7-8941-3EA10A5586B7': '8308',
};

test('gptTypeName() spells names as sfdisk --list-types does', (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const oracle = sfdiskTypes('gpt');
  for (const [guid, name] of Object.entries(gptTypeNames)) {
    if (guid in newerThanLibfdisk && !oracle.has(guid)) continue;
    assert.equal(oracle.get(guid), name, guid);
  }
  assert.equal(gptTypeName('c12a7328-f81f-11d2-ba4b-00a0c93ec93b'), 'EFI System');
  assert.equal(gptTypeName('00000000-0000-0000-0000-000000000001'), null);
});

test('gptTypeNames holds the GUIDs sgdisk gives its type codes', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const codes: Record<string, string> = {
    ef00: 'EFI System',
    ef02: 'BIOS boot',
    8300: 'Linux filesystem',
    8200: 'Linux swap',
    '8e00': 'Linux LVM',
    fd00: 'Linux RAID',
    8304: 'Linux root (x86-64)',
    '0700': 'Microsoft basic data',
    '0c01': 'Microsoft reserved',
    2700: 'Windows recovery environment',
    a501: 'FreeBSD boot',
    a503: 'FreeBSD UFS',
    a504: 'FreeBSD ZFS',
    a502: 'FreeBSD swap',
    af00: 'Apple HFS/HFS+',
    af0a: 'Apple APFS',
    8309: 'Linux LUKS',
    8308: 'Linux dm-crypt',
  };
  const args: string[] = [];
  Object.keys(codes).forEach((code, i) => args.push('-n', `${i + 1}:0:+64K`, '-t', `${i + 1}:${code}`));
  const path = sgdiskImage(tempDir(t), 'types.img', 4 * MiB, args);
  const gpt = await readGpt(await fileDisk(t, path, 512, true), 512);
  assert.deepEqual(gpt?.entries.map((entry) => gptTypeName(entry.typeGuid)), Object.values(codes));
  for (const [guid, code] of Object.entries(newerThanLibfdisk)) {
    assert.equal(gpt?.entries.find((entry) => entry.typeGuid === guid)?.number, Object.keys(codes).indexOf(code) + 1);
  }
});

test('mbrTypeName() spells names as sfdisk --list-types does', (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const oracle = sfdiskTypes('dos');
  for (const [type, name] of Object.entries(mbrTypeNames)) {
    assert.equal(oracle.get(Number(type).toString(16).toUpperCase()), name, `type ${Number(type).toString(16)}`);
  }
  assert.equal(mbrTypeName(0x83), 'Linux');
  assert.equal(mbrTypeName(0xee), 'GPT');
  assert.equal(mbrTypeName(0x00), null);
});
