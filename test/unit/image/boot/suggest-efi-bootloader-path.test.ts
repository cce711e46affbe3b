import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findEfiBootloaderPath } from '../../../../src/image/boot/find-efi-bootloader-path.ts';
import { suggestEfiBootloaderPath } from '../../../../src/image/boot/suggest-efi-bootloader-path.ts';

/**
 * The ESP contents of each OS in the efiBootloaderPath table of OVHcloud's BYOI guide, with the path the
 * guide gives and the one byoi suggests. They differ only where a shim sits next to grub (see the ranking).
 */
const espOf = [
  {
    os: 'Debian',
    guide: '\\efi\\debian\\grubx64.efi',
    suggested: '\\EFI\\debian\\shimx64.efi',
    paths: ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\BOOT\\fbx64.efi', '\\EFI\\BOOT\\grubx64.efi', '\\EFI\\BOOT\\mmx64.efi', '\\EFI\\debian\\fbx64.efi', '\\EFI\\debian\\grubx64.efi', '\\EFI\\debian\\mmx64.efi', '\\EFI\\debian\\shimx64.efi'],
  },
  {
    os: 'Ubuntu',
    guide: '\\efi\\ubuntu\\grubx64.efi',
    suggested: '\\EFI\\ubuntu\\shimx64.efi',
    paths: ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\BOOT\\fbx64.efi', '\\EFI\\BOOT\\mmx64.efi', '\\EFI\\ubuntu\\grubx64.efi', '\\EFI\\ubuntu\\mmx64.efi', '\\EFI\\ubuntu\\shimx64.efi'],
  },
  {
    os: 'Windows',
    guide: '\\efi\\microsoft\\boot\\bootmgfw.efi',
    suggested: '\\EFI\\Microsoft\\Boot\\bootmgfw.efi',
    paths: ['\\EFI\\Boot\\bootx64.efi', '\\EFI\\Microsoft\\Boot\\bootmgfw.efi', '\\EFI\\Microsoft\\Boot\\bootmgr.efi', '\\EFI\\Microsoft\\Boot\\memtest.efi'],
  },
  {
    os: 'FreeBSD',
    guide: '\\efi\\FreeBSD\\loader.efi',
    suggested: '\\EFI\\FreeBSD\\loader.efi',
    paths: ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\FreeBSD\\loader.efi'],
  },
  {
    os: 'Alma',
    guide: '\\efi\\almalinux\\shimx64.efi',
    suggested: '\\EFI\\almalinux\\shimx64.efi',
    paths: ['\\EFI\\BOOT\\BOOTIA32.EFI', '\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\BOOT\\fbia32.efi', '\\EFI\\BOOT\\fbx64.efi', '\\EFI\\almalinux\\grubx64.efi', '\\EFI\\almalinux\\mmia32.efi', '\\EFI\\almalinux\\mmx64.efi', '\\EFI\\almalinux\\shimia32.efi', '\\EFI\\almalinux\\shimx64.efi'],
  },
  {
    os: 'Arch Linux',
    guide: '\\efi\\arch\\grubx64.efi',
    suggested: '\\EFI\\arch\\grubx64.efi',
    paths: ['\\EFI\\arch\\grubx64.efi'],
  },
  {
    os: 'Gentoo',
    guide: '\\efi\\boot\\bootx64.efi',
    suggested: '\\EFI\\BOOT\\BOOTX64.EFI',
    paths: ['\\EFI\\BOOT\\BOOTX64.EFI'],
  },
];

for (const esp of espOf) {
  test(`suggestEfiBootloaderPath() picks a loader of a ${esp.os} ESP, and the guide's path is found on it`, () => {
    assert.equal(suggestEfiBootloaderPath(esp.paths), esp.suggested);
    assert.notEqual(findEfiBootloaderPath(esp.paths, esp.guide), null);
  });
}

test('suggestEfiBootloaderPath() prefers shim to grub, and a distro loader to the removable path', () => {
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\debian\\grubx64.efi', '\\EFI\\debian\\shimx64.efi']), '\\EFI\\debian\\shimx64.efi');
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\grubx64.efi']), '\\EFI\\debian\\grubx64.efi');
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\systemd\\systemd-bootx64.efi']), '\\EFI\\systemd\\systemd-bootx64.efi');
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\Linux\\arch-linux.efi', '\\EFI\\BOOT\\BOOTX64.EFI']), '\\EFI\\BOOT\\BOOTX64.EFI');
});

test('suggestEfiBootloaderPath() ignores helpers and other architectures unless nothing else exists', () => {
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\BOOT\\fbx64.efi', '\\EFI\\debian\\mmx64.efi', '\\EFI\\tools\\shell.efi']), '\\EFI\\tools\\shell.efi');
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\BOOT\\BOOTAA64.EFI', '\\EFI\\debian\\mmx64.efi']), '\\EFI\\debian\\mmx64.efi');
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\BOOT\\BOOTIA32.EFI', '\\EFI\\debian\\shimia32.efi']), '\\EFI\\BOOT\\BOOTIA32.EFI');
  assert.equal(suggestEfiBootloaderPath([]), null);
});

test('suggestEfiBootloaderPath() keeps the ESP order between loaders of the same rank', () => {
  assert.equal(suggestEfiBootloaderPath(['\\EFI\\ubuntu\\shimx64.efi', '\\EFI\\debian\\shimx64.efi']), '\\EFI\\ubuntu\\shimx64.efi');
});

test('findEfiBootloaderPath() matches without regard to case and separators', () => {
  const paths = ['\\EFI\\debian\\grubx64.efi', '\\EFI\\BOOT\\BOOTX64.EFI'];
  assert.equal(findEfiBootloaderPath(paths, '\\efi\\DEBIAN\\GRUBX64.EFI'), '\\EFI\\debian\\grubx64.efi');
  assert.equal(findEfiBootloaderPath(paths, '/efi/boot/bootx64.efi'), '\\EFI\\BOOT\\BOOTX64.EFI');
  assert.equal(findEfiBootloaderPath(paths, 'EFI\\\\boot\\bootx64.efi'), '\\EFI\\BOOT\\BOOTX64.EFI');
  assert.equal(findEfiBootloaderPath(paths, '\\efi\\debian\\shimx64.efi'), null);
  assert.equal(findEfiBootloaderPath(paths, '\\efi\\debian'), null);
  assert.equal(findEfiBootloaderPath(paths, ''), null);
  assert.equal(findEfiBootloaderPath(['\\EFI\\straße\\x.efi'], '\\EFI\\STRASSE\\X.EFI'), null, 'no one-to-many case folding');
});
