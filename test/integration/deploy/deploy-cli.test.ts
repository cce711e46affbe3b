import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMisbehavingServer } from '../../helpers/misbehaving-http-server.ts';
import { needTools, tempDir } from '../../helpers/tools.ts';
import { headerMarker, sshKey } from './_deploy-helpers.ts';
import { assertNoPartitionTable, assertTableValid, deployTools, makeFileDisk, makeRawGpt, readConfigDriveFile, sha256File } from './_fixtures.ts';

const bin = new URL('../../../bin/byoi.mjs', import.meta.url).pathname;

/** Runs `byoi` as a real process with stdin a pipe (not a terminal). */
function byoi(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('byoi deploy --yes --json prints JSON events and a final result, exit 0, secrets never printed', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const dir = tempDir(t);
  const image = makeRawGpt(dir, { sizeMiB: 32, esp: true });
  const disk = makeFileDisk(dir, 128);
  const server = await startMisbehavingServer({ body: readFileSync(image.path), requireHeader: { name: 'Authorization', value: headerMarker } });
  t.after(() => server.close());
  const userData = join(dir, 'user-data.yaml');
  writeFileSync(userData, '#cloud-config\n# SECRET-USERDATA-MARKER-b41d\npackages: [vim]\n');

  const run = await byoi([
    'deploy', '--image', server.url('/image.raw'), '--type', 'raw', '--disk', disk,
    '--checksum', sha256File(image.path), '--checksum-type', 'sha256',
    '--header', `Authorization: ${headerMarker}`,
    '--hostname', 'web1', '--ssh-key', sshKey, '--user-data', userData, '--meta', 'role=web', '--meta', 'env=prod',
    '--efi-path', '\\EFI\\debian\\grubx64.efi', '--boot-mode', 'uefi', '--yes', '--json',
  ]);
  assert.equal(run.status, 0, run.stderr);
  const lines = jsonLines(run.stdout);
  assert.equal(lines[0]?.type, 'deploy.start');
  assert.ok(lines.some((line) => line.type === 'write.progress'));
  assert.equal(lines.at(-2)?.type, 'deploy.end');
  const result = lines.at(-1) as Record<string, unknown>;
  assert.equal(result.type, 'result');
  assert.equal(result.ok, true);
  assert.equal(result.code, null);
  assert.equal(result.efiBootloaderPath, '\\EFI\\debian\\grubx64.efi');
  assert.deepEqual(result.configDrive, { partition: 3, filesystem: 'vfat' });
  assert.equal(typeof result.bytesWritten, 'number');
  assert.equal(typeof result.seconds, 'number');
  for (const text of [run.stdout, run.stderr]) {
    assert.ok(!text.includes(headerMarker), 'the header value is never printed');
    assert.ok(!text.includes('SECRET-USERDATA-MARKER'), 'the user data is never printed');
  }
  assertTableValid(disk, 'gpt');
  const start = (result.result as { configDrive: { start: number } }).configDrive.start;
  assert.equal(readConfigDriveFile(disk, start, 'openstack/latest/user_data').toString(), readFileSync(userData, 'utf8'));
  const meta = JSON.parse(readConfigDriveFile(disk, start, 'openstack/latest/meta_data.json').toString()) as { meta: unknown; hostname: string };
  assert.deepEqual(meta.meta, { role: 'web', env: 'prod' });
  assert.equal(meta.hostname, 'web1');
});

test('byoi deploy fails with exit 1, the catalogue message on stderr and in the JSON result', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const dir = tempDir(t);
  const image = makeRawGpt(dir, { sizeMiB: 16 });
  const disk = makeFileDisk(dir, 96);
  const wrong = '0'.repeat(64);
  const run = await byoi(['deploy', '--image', image.path, '--type', 'raw', '--disk', disk, '--checksum', wrong, '--checksum-type', 'sha256', '--yes', '--json']);
  assert.equal(run.status, 1);
  const message = `Bad checkSumType for downloaded file, got: ${sha256File(image.path)} while expecting ${wrong}.`;
  assert.match(run.stderr, new RegExp(`^byoi: ${message.replace(/\./g, '\\.')}$`, 'm'));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  const lines = jsonLines(run.stdout);
  assert.equal(lines.at(-2)?.type, 'deploy.error');
  assert.deepEqual(
    { ...lines.at(-1), seconds: 0 },
    { type: 'result', ok: false, code: 'BYOI_CHECKSUM_MISMATCH', message, phase: 'verify', efiBootloaderPath: null, configDrive: null, bytesWritten: null, seconds: 0, detail: 'sha256 of the downloaded file' },
  );
  assertNoPartitionTable(disk);
});

test('byoi deploy refuses to erase without --yes when stdin is not a terminal (exit 2, disk untouched)', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const dir = tempDir(t);
  const image = makeRawGpt(dir, { sizeMiB: 16 });
  const disk = makeFileDisk(dir, 96);
  const before = sha256File(disk);
  const run = await byoi(['deploy', '--image', image.path, '--type', 'raw', '--disk', disk]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /refusing to erase .* without confirmation: standard input is not a terminal.*--yes/);
  assert.equal(run.stdout, '');
  assert.equal(sha256File(disk), before);
});

test('byoi deploy checks options with the API validators (exit 2) and never echoes a header value', async (t) => {
  const dir = tempDir(t);
  const checks: [string[], RegExp][] = [
    [['--type', 'vmdk'], /--type: Bad format image, expected: qcow2, raw\./],
    [['--checksum', 'abc'], /--checksum: Please provide checkSum AND checkSumType or none of them/],
    [['--hostname', '-bad'], /--hostname: Invalid hostname -bad/],
    [['--efi-path', 'efi/boot'], /--efi-path: Invalid customization format for efiBootloaderPath/],
    [['--header', `Range: ${headerMarker}`], /--header: .*the Range header cannot be set/],
    [['--ssh-key', 'not-a-key'], /--ssh-key 1: Invalid customization format for sshKey/],
  ];
  for (const [extra, expected] of checks) {
    const args = ['deploy', '--image', 'https://images.example/x.raw', '--type', 'raw', '--disk', join(dir, 'none.img'), '--yes', ...extra];
    if (extra[0] === '--type') args.splice(3, 2);
    const run = await byoi(args);
    assert.equal(run.status, 2, `${extra.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, expected);
    assert.ok(!run.stderr.includes(headerMarker));
  }
});
