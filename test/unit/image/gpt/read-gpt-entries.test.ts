import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { readGptEntries } from '../../../../src/image/gpt/read-gpt-entries.ts';
import { readGptHeader } from '../../../../src/image/gpt/read-gpt-header.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { hasTool, needTools, tempDir } from '../../../helpers/tools.ts';
import { sfdiskJson } from '../partition-table/_fixtures.ts';
import { fixEntriesCrc, patchHeader, smallGptBytes } from './_gpt-bytes.ts';

let image: Uint8Array | null = null;
let oracle: ReturnType<typeof sfdiskJson> | null = null;
before(() => {
  if (!hasTool('sgdisk') || !hasTool('sfdisk')) return;
  const dir = tempDir({ after });
  image = smallGptBytes(dir, ['-n', '1:34:+256K', '-c', '1:Ünïcødé 名前', '-A', '1:set:0', '-n', '3:0:0', '-t', '3:ef00', '-c', '3:123456789012345678901234567890123456']);
  oracle = sfdiskJson(`${dir}/small-gpt.img`);
});

function copy(t: TestContext): Uint8Array | null {
  if (!needTools(t, 'sgdisk', 'sfdisk') || image === null) return null;
  return image.slice();
}

test('readGptEntries() decodes entries as sfdisk does', async (t) => {
  const bytes = copy(t);
  if (bytes === null || oracle === null) return;
  const source = bufferReadAt(bytes);
  const { entries, raw } = await readGptEntries(source, await readGptHeader(source, 1, 512));
  assert.equal(raw.length, 128 * 128);
  assert.deepEqual(
    entries.map((entry) => [entry.number, entry.startingLba, entry.endingLba - entry.startingLba + 1, entry.typeGuid, entry.uniqueGuid, entry.name]),
    oracle.partitions.map((p) => [Number(/(\d+)$/.exec(p.node)?.[1]), p.start, p.size, p.type, p.uuid, p.name]),
  );
  assert.equal(entries[0]?.name, 'Ünïcødé 名前');
  assert.equal(entries[0]?.attributes, 1n);
  assert.equal(entries[0]?.legacyBiosBootable, false);
  assert.equal(entries[1]?.number, 3, 'an empty slot 2 is skipped and numbers follow the slots');
  assert.equal(entries[1]?.name.length, 36, 'a name that fills the field has no NUL');
});

test('readGptEntries() rejects a bad entries CRC', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  bytes[1024 + 128 * 5] = 1; // a byte of slot 6, unused
  const source = bufferReadAt(bytes);
  await assert.rejects(readGptEntries(source, await readGptHeader(source, 1, 512)), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_INVALID');
    assert.match(error.message, /Cannot read GPT partition entries at LBA 2: PartitionEntryArrayCRC32 is 0x[0-9a-f]{8} but the entries hash to/);
    return true;
  });
});

test('readGptEntries() rejects an entry that ends before it starts', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  new DataView(bytes.buffer).setBigUint64(1024 + 40, 10n, true);
  fixEntriesCrc(bytes, 512);
  const source = bufferReadAt(bytes);
  await assert.rejects(readGptEntries(source, await readGptHeader(source, 1, 512)), {
    code: 'BYOI_IMAGE_INVALID',
    message: 'Cannot read GPT partition 1: StartingLBA 34 is after EndingLBA 10',
  });
});

test('readGptEntries() rejects an entry LBA too large to address', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  new DataView(bytes.buffer).setBigUint64(1024 + 40, 0xffffffffffffffffn, true);
  fixEntriesCrc(bytes, 512);
  const source = bufferReadAt(bytes);
  await assert.rejects(readGptEntries(source, await readGptHeader(source, 1, 512)), {
    code: 'BYOI_IMAGE_INVALID',
    message: 'Cannot read GPT partition 1: EndingLBA 0xffffffffffffffff is too large',
  });
});

test('readGptEntries() reports an entry array past the end of the image as truncated', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  // A primary whose entries are far away, with a usable range after them: valid on its own.
  patchHeader(bytes, 512, (v) => {
    v.setBigUint64(72, 100_000n, true);
    v.setBigUint64(40, 100_032n, true);
    v.setBigUint64(48, 100_040n, true);
    v.setBigUint64(32, 100_100n, true);
  });
  const source = bufferReadAt(bytes);
  await assert.rejects(readGptEntries(source, await readGptHeader(source, 1, 512)), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_TRUNCATED');
    assert.match(error.message, /Cannot read GPT partition entries at LBA 100000: the image ends at byte 1048576, before byte 51216384/);
    return true;
  });
});
