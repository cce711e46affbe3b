import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateEfiBootloaderPath } from '../../../../src/contract/request/validate-efi-bootloader-path.ts';
import { thrown } from '../_fixtures.ts';

const msg = (value: string) => {
  const error = thrown(() => validateEfiBootloaderPath(value));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.equal(error.params.name, 'efiBootloaderPath');
  return error.message;
};

test("validateEfiBootloaderPath() reads the JSON-escaped paths of OVH's table as single-backslash paths", () => {
  // The guide's table, as JSON strings: "\\efi\\debian\\grubx64.efi" is \efi\debian\grubx64.efi.
  const table = JSON.parse(
    '["\\\\efi\\\\debian\\\\grubx64.efi", "\\\\efi\\\\microsoft\\\\boot\\\\bootmgfw.efi", "\\\\efi\\\\FreeBSD\\\\loader.efi", "\\\\EFI\\\\BOOT\\\\BOOTX64.EFI"]',
  ) as string[];
  assert.deepEqual(
    table.map(validateEfiBootloaderPath),
    ['\\efi\\debian\\grubx64.efi', '\\efi\\microsoft\\boot\\bootmgfw.efi', '\\efi\\FreeBSD\\loader.efi', '\\EFI\\BOOT\\BOOTX64.EFI'],
  );
});

test('validateEfiBootloaderPath() collapses a double-escaped path to single backslashes', () => {
  const doubled = JSON.parse('"\\\\\\\\efi\\\\\\\\debian\\\\\\\\grubx64.efi"') as string;
  assert.equal(doubled, '\\\\efi\\\\debian\\\\grubx64.efi');
  assert.equal(validateEfiBootloaderPath(doubled), '\\efi\\debian\\grubx64.efi');
});

test('validateEfiBootloaderPath() turns forward slashes into backslashes', () => {
  assert.equal(validateEfiBootloaderPath('/EFI/BOOT/BOOTX64.EFI'), '\\EFI\\BOOT\\BOOTX64.EFI');
});

test('validateEfiBootloaderPath() refuses a path without a leading backslash or without .efi', () => {
  assert.match(msg('efi\\debian\\grubx64.efi'), /must start with a backslash/);
  assert.match(msg('\\efi\\debian\\grub.cfg'), /must name an .efi file/);
  assert.match(msg('\\efi\\debian\\'), /empty component/);
  assert.match(msg('\\'), /empty component/);
});

test('validateEfiBootloaderPath() refuses characters FAT forbids, dot components and trailing dots', () => {
  assert.match(msg('\\efi\\deb:ian\\grubx64.efi'), /holds :, which FAT file names cannot hold/);
  assert.match(msg('\\efi\\*\\grubx64.efi'), /holds \*/);
  assert.match(msg('\\efi\\..\\grubx64.efi'), /\. or \.\. components/);
  assert.match(msg('\\efi\\debian.\\grubx64.efi'), /ends with a dot or a space/);
  assert.match(msg('\\efi\\dé\\grubx64.efi'), /non-ASCII/);
  assert.match(msg('\\efi\\de\tb\\grubx64.efi'), /control/);
});

test('validateEfiBootloaderPath() refuses a path longer than 512 characters', () => {
  assert.match(msg(`\\${'a\\'.repeat(300)}x.efi`), /the limit is 512/);
});
