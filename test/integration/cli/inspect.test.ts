import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, test, type TestContext } from 'node:test';
import type { InspectResult } from '../../../src/image/inspect-result.ts';
import { needTools, tempDir } from '../../helpers/tools.ts';
import { assertAgreesWithOracles, INSPECT_TOOLS, makeInspectFixtures, MiB, type InspectFixture } from '../../unit/image/inspect/_fixtures.ts';
import { mapConcurrently, parseJson, runInspect } from './_inspect-cli.ts';

// `byoi inspect` as a user runs it: a real process, its stdout, stderr and exit status, compared with the oracles.

const dir = tempDir({ after }, 'byoi-cli-inspect-');

function fixtures(t: TestContext): InspectFixture[] | null {
  if (!needTools(t, ...INSPECT_TOOLS)) return null;
  return makeInspectFixtures(dir);
}

function named(all: InspectFixture[], name: string): string {
  const found = all.find((f) => f.name === name);
  assert.ok(found, `no fixture ${name}`);
  return found.path;
}

test('byoi inspect --json agrees with qemu-img info, sfdisk, sgdisk, blkid and mdir on every fixture', { timeout: 600_000 }, async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const runs = await mapConcurrently(all, 3, (fixture) => runInspect(['--json', fixture.path]));
  all.forEach((fixture, index) => {
    const run = runs[index];
    assert.ok(run !== undefined);
    const result = parseJson<InspectResult>(run);
    assertAgreesWithOracles(result, fixture);
    for (const key of ['source', 'fileSize', 'format', 'virtualSize', 'qcow2', 'partitionTable', 'contents', 'boot', 'problems', 'access']) {
      assert.ok(key in result, `${fixture.name}: key ${key}`);
    }
    assert.equal(result.access.method, 'file');
    assert.equal(run.status, result.problems.some((p) => p.severity === 'error') ? 1 : 0, `${fixture.name}: exit status\n${run.stderr}`);
    assert.equal(run.stderr, '', `${fixture.name}: nothing on stderr`);
  });
});

test('byoi inspect reports a raw ext4 image with the seed message, naming ext4, and exits 1', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const run = await runInspect(['--type', 'raw', named(all, 'raw ext4 without a partition table')]);
  assert.equal(run.status, 1);
  assert.match(run.stdout, /image provided format is not of type raw because no partition table was found\. It seems to contain: an ext4 filesystem \(label cloudimg-rootfs\)/);
  assert.match(run.stdout, /solution: Check that your image contains a partition table\./);
  assert.match(run.stdout, /Verdict +this image would fail/);
});

test('byoi inspect reports a format mismatch and an image too large for --disk-size', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const vmdk = await runInspect(['--json', '--type', 'qcow2', named(all, 'container: vmdk monolithicSparse')]);
  assert.equal(vmdk.status, 1);
  assert.deepEqual(parseJson<InspectResult>(vmdk).problems.map((p) => p.message), ['image provided format is vmdk which does not match expected qcow2 format']);

  const qcow2 = named(all, 'qcow2 v3 holding the GPT disk');
  const big = await runInspect(['--json', '--type', 'qcow2', '--disk-size', '64M', '--disk-name', '/dev/sda', qcow2]);
  assert.equal(big.status, 1);
  assert.deepEqual(parseJson<InspectResult>(big).problems.map((p) => [p.code, p.message]), [
    ['BYOI_IMAGE_TOO_LARGE', `image provided has a size of ${96 * MiB} bytes which is larger than /dev/sda of ${64 * MiB} bytes`],
  ]);
  const fits = await runInspect(['--type', 'qcow2', '--disk-size', '10G', '--sector-size', '512', '--boot-mode', 'uefi', qcow2]);
  assert.equal(fits.status, 0, fits.stdout + fits.stderr);
  assert.match(fits.stdout, /Problems +none/);
});

test('byoi inspect prints a readable report: format, sizes in bytes and GiB, partitions, boot facts', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const run = await runInspect([named(all, 'qcow2 compressed zstd holding the GPT disk')]);
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;
  assert.match(out, /^Format +qcow2 \(version 3, 64 KiB clusters, zstd compression\)$/m);
  assert.match(out, new RegExp(`^Disk size +${96 * MiB} bytes \\(0\\.09 GiB\\)$`, 'm'));
  assert.match(out, /^Partition table +GPT, 512-byte sectors, 3 partitions/m);
  assert.match(out, /^ +1 +1048576 +35651584 +0\.03 GiB +EFI System +EFI System +vfat +ESP$/m);
  assert.match(out, /^ +3 +\d+ +\d+ +0\.06 GiB +Linux filesystem +root +ext4 +rootfs$/m);
  assert.match(out, /UEFI +yes \(EFI System Partition: partition 1\)/);
  assert.match(out, /\\EFI\\debian\\shimx64\.efi$/m);
  assert.match(out, /efiBootloaderPath +\\EFI\\debian\\shimx64\.efi \(suggested\)/);
  assert.match(out, /legacy BIOS +yes/);
  assert.match(out, /^Read +local file, \d+ reads?, /m);
});

test('byoi inspect verifies a local checksum, and refuses half a checksum as a usage error', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const path = named(all, 'qcow2 v2 (compat=0.10) holding the GPT disk');
  const md5 = createHash('md5').update(readFileSync(path)).digest('hex');
  const good = await runInspect(['--json', '--checksum', md5, '--checksum-type', 'md5', path]);
  assert.equal(good.status, 0);
  assert.deepEqual(parseJson<InspectResult>(good).checksum, { type: 'md5', expected: md5, actual: md5, status: 'match' });

  const wrong = 'f'.repeat(32);
  const bad = await runInspect(['--checksum', wrong, '--checksum-type', 'md5', path]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, new RegExp(`Bad checkSumType for downloaded file, got: ${md5} while expecting ${wrong}\\.`));

  const half = await runInspect(['--checksum', wrong, path]);
  assert.equal(half.status, 2);
  assert.match(half.stderr, /Please provide checkSum AND checkSumType or none of them/);
});

test('byoi inspect exits 2 on usage errors and documents its exit statuses in --help', async () => {
  const help = await runInspect(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Exit status:\n +0 +no error-severity problem[^\n]*\n +1 +at least one error-severity problem, or the image cannot be read[^\n]*\n +2 +usage error/);
  for (const args of [['--disk-size', 'ten', 'x.img'], ['--sector-size', '1024', 'x.img'], ['--type', 'vmdk', 'x.img'], ['--boot-mode', 'bios', 'x.img'], ['--efi-path', 'grub.cfg', 'x.img'], [], ['--no-such-option', 'x.img']]) {
    const run = await runInspect(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('byoi inspect says clearly that a file cannot be read, with --json too, and exits 1', async (t) => {
  const local = tempDir(t);
  const run = await runInspect(['--json', `${local}/missing.qcow2`]);
  assert.equal(run.status, 1);
  assert.deepEqual(parseJson<{ error: { code: string; message: string } }>(run).error, {
    code: 'BYOI_DOWNLOAD_FAILED',
    message: `cannot read the image: no such file: ${local}/missing.qcow2`,
  });
  assert.equal(run.stderr, `byoi inspect: cannot read the image: no such file: ${local}/missing.qcow2\n`);
});
