import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ensureSampleImage, sampleImageLayout } from '../../../../src/control/demo/sample-image.ts';
import { demoDeployExample, shellQuote } from '../../../../src/control/demo/demo-deploy-example.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { readPartitionTable } from '../../../../src/image/partition-table/read-partition-table.ts';
import { analyzeBoot } from '../../../../src/image/boot/analyze-boot.ts';
import { readFatFile } from '../../../../src/image/fat/read-fat-file.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';

test('ensureSampleImage() writes a sparse GPT image with an ESP holding the usual loaders, the same bytes every time', async (t) => {
  const dir = tempDir(t);
  const image = ensureSampleImage(dir);
  const bytes = readFileSync(image.path);
  assert.equal(bytes.length, sampleImageLayout.sizeBytes);
  assert.ok(statSync(image.path).blocks * 512 < 4 * 1024 * 1024, 'sparse: a few allocated blocks');
  assert.equal(image.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(image.sha512, createHash('sha512').update(bytes).digest('hex'));
  assert.equal(readFileSync(`${image.path}.sha256`, 'utf8'), `${image.sha256}  sample-gpt.raw\n`);
  assert.equal(ensureSampleImage(tempDir(t)).sha256, image.sha256, 'deterministic');

  const source = bufferReadAt(bytes);
  const table = await readPartitionTable(source);
  assert.equal(table?.type, 'gpt');
  assert.deepEqual(table?.partitions.map((p) => [p.number, p.typeName, p.name, p.start, p.size]), [
    [1, 'EFI System', 'EFI System Partition', 1024 * 1024, 32 * 1024 * 1024],
    [2, 'Linux filesystem', 'root', 33 * 1024 * 1024, 14 * 1024 * 1024],
  ]);
  assert.equal(table?.gpt?.backupAtEnd, true);
  const boot = await analyzeBoot(source, table);
  assert.deepEqual(boot.efiBootloaderPaths, ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\grubx64.efi']);
  const readme = await readFatFile(source, 1024 * 1024, 32 * 1024 * 1024, '\\README.TXT');
  assert.match(Buffer.from(readme as Uint8Array).toString(), /does not boot/);

  if (!needTools(t, 'sgdisk', 'blkid')) return;
  assert.match(run('sgdisk', ['-v', image.path]), /No problems found/);
  assert.match(run('blkid', ['-p', '-O', String(1024 * 1024), image.path]), /LABEL="EFI".*TYPE="vfat"/);
});

test('demoDeployExample() is one shell line that reads the keys from the file and signs the reinstall', () => {
  const line = demoDeployExample({ credentialsPath: 'data/demo-credentials.json', serverName: 'ns1001.byoi.demo', imageUrl: 'http://127.0.0.1:8080/demo/images/sample-gpt.raw', sha256: 'ab'.repeat(32) });
  assert.ok(!line.includes('\n'));
  assert.match(line, /^node -e '/);
  assert.ok(line.includes('readFileSync("data/demo-credentials.json")'));
  assert.ok(line.includes('"$1$"+require("crypto").createHash("sha1")'));
  assert.match(demoDeployExample({ credentialsPath: 'd/c.json', serverName: 's', imageUrl: 'u', sha256: 'x', caPath: 'd/dev-ca.pem' }), /^NODE_EXTRA_CA_CERTS=d\/dev-ca.pem node -e /);
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});
