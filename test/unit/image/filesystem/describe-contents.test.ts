import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { describeContents } from '../../../../src/image/filesystem/describe-contents.ts';

const describe = (bytes: Uint8Array): Promise<string> => describeContents(bufferReadAt(bytes));

test('describeContents() names an ISO 9660 image with its label', async (t) => {
  if (!needTools(t, 'xorriso')) return;
  const dir = tempDir(t);
  mkdirSync(join(dir, 'root'));
  writeFileSync(join(dir, 'root', 'README'), 'x');
  run('xorriso', ['-as', 'mkisofs', '-V', 'DEBIAN', '-o', join(dir, 'image.iso'), join(dir, 'root')]);
  assert.equal(await describe(new Uint8Array(readFileSync(join(dir, 'image.iso')))), 'an ISO 9660 filesystem (label DEBIAN)');
});

test('describeContents() names a bare filesystem without a label', async (t) => {
  if (!needTools(t, 'mkfs.ext4')) return;
  const image = join(tempDir(t), 'root.img');
  run('truncate', ['-s', '8M', image]);
  run('mkfs.ext4', ['-q', '-F', image]);
  assert.equal(await describe(new Uint8Array(readFileSync(image))), 'an ext4 filesystem');
});

test('describeContents() says when the image is empty or starts with zeros', async () => {
  assert.equal(await describe(new Uint8Array(0)), 'nothing (the image is empty)');
  assert.equal(await describe(new Uint8Array(4096)), 'nothing recognisable (all 4096 bytes are zeros)');
  const mostlyZeros = new Uint8Array(1024 * 1024);
  mostlyZeros[900_000] = 1;
  assert.equal(await describe(mostlyZeros), 'nothing recognisable (the first 64 KiB are zeros)');
});

test('describeContents() recognises things uploaded by mistake', async () => {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.equal(await describe(text('\n<!DOCTYPE html>\n<html><body>403 Forbidden</body></html>\n')), 'an HTML page');
  assert.equal(await describe(text('Access denied: please log in\n')), 'text');
  assert.equal(await describe(new Uint8Array(gzipSync(new Uint8Array(10_000)))), 'gzip-compressed data');
  const qcow2 = new Uint8Array(1024);
  qcow2.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);
  assert.equal(await describe(qcow2), 'a qcow2 image');
  const tar = new Uint8Array(1024);
  tar.set(new TextEncoder().encode('file.txt'), 0);
  tar.set(new TextEncoder().encode('ustar'), 257);
  assert.equal(await describe(tar), 'a tar archive');
});

test('describeContents() shows the first bytes of data it does not know', async () => {
  const bytes = new Uint8Array(8192);
  bytes.set([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]);
  assert.equal(await describe(bytes), 'unrecognised data (starting with 4d 5a 90 00 03 00 00 00)');
  const bootSector = new Uint8Array(512);
  bootSector.set([0xfa, 0x31, 0xc0, 0x8e, 0xd8]);
  bootSector[510] = 0x55;
  bootSector[511] = 0xaa;
  assert.equal(await describe(bootSector), 'a boot sector without partition entries');
});
