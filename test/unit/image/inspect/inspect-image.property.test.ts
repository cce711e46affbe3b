import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { inspectImage, type InspectExpectations } from '../../../../src/image/inspect/inspect-image.ts';
import { isErrorCode } from '../../../../src/contract/errors/catalogue.ts';
import { checkRange, type ReadAt } from '../../../../src/image/read-at.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { mkdirs, putFile, someBytes } from '../fat/_fat-fixtures.ts';
import { nodeNumber, sfdiskJson } from '../partition-table/_fixtures.ts';
import { MiB } from './_fixtures.ts';

// Property: whatever is done to a real image (bytes overwritten in its metadata or anywhere, the file cut short
// or made longer), inspectImage() returns a result, problems allowed, within a bounded time: never an exception
// that is not a catalogue error turned into a problem, never a hang.

const dir = tempDir({ after }, 'byoi-inspect-fuzz-');

interface Target {
  name: string;
  bytes: Uint8Array;
  /** Byte ranges where mutations hurt most: tables, headers, the ESP's boot sector and FAT. */
  hot: [number, number][];
}

let targets: Target[] | null = null;

/** Small versions of the real fixtures (16 MiB), so each run reads them from memory. */
function makeTargets(): Target[] {
  if (targets !== null) return targets;
  const gpt = join(dir, 'gpt.raw');
  run('truncate', ['-s', String(16 * MiB), gpt]);
  run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', gpt], {
    input: 'label: gpt\n,8MiB,C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n,1MiB,21686148-6449-6E6F-744E-656564454649\n,,L\n',
  });
  const [esp, , root] = sfdiskJson(gpt).partitions;
  assert.ok(esp !== undefined && root !== undefined);
  run('mkfs.vfat', ['-F', '12', '-n', 'ESP', '--offset', String(esp.start), gpt, String((esp.size * 512) / 1024)]);
  process.env.MTOOLS_SKIP_CHECK = '1';
  mkdirs(gpt, ['\\EFI', '\\EFI\\BOOT', '\\EFI\\debian'], esp.start * 512);
  for (const file of ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\shimx64.efi', '\\EFI\\debian\\a-long-loader-name.efi']) {
    putFile(gpt, file, someBytes(3000), dir, esp.start * 512);
  }
  run('mkfs.ext4', ['-q', '-F', '-E', `offset=${root.start * 512}`, gpt, `${(root.size * 512) / 1024}k`]);

  const mbr = join(dir, 'mbr.raw');
  run('truncate', ['-s', String(16 * MiB), mbr]);
  run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', mbr], { input: 'label: dos\n,4MiB,ef,*\n,,E\n,4MiB,83\n,2MiB,83\n,,83\n' });
  const ebrs = sfdiskJson(mbr).partitions.filter((p) => nodeNumber(p.node) >= 5).map((p) => p.start * 512 - 512);

  const qcow2 = join(dir, 'gpt.qcow2');
  run('qemu-img', ['convert', '-O', 'qcow2', '-o', 'cluster_size=4096', gpt, qcow2]);

  const espStart = esp.start * 512;
  targets = [
    { name: 'GPT raw', bytes: new Uint8Array(readFileSync(gpt)), hot: [[0, 34 * 512], [espStart, espStart + 64 * 1024], [16 * MiB - 33 * 512, 16 * MiB]] },
    { name: 'MBR raw', bytes: new Uint8Array(readFileSync(mbr)), hot: [[0, 512], ...ebrs.map((at): [number, number] => [at + 446, at + 512])] },
    { name: 'qcow2 (GPT inside)', bytes: new Uint8Array(readFileSync(qcow2)), hot: [[0, 64 * 1024]] },
  ];
  return targets;
}

/** The image with some bytes replaced and its size changed, without copying its 16 MiB for each run. */
function mutated(base: Uint8Array, patches: Map<number, number>, size: number): ReadAt {
  return {
    size,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, 'image');
      const out = new Uint8Array(length);
      out.set(base.subarray(Math.min(offset, base.length), Math.min(offset + length, base.length)));
      for (const [at, value] of patches) if (at >= offset && at < offset + length) out[at - offset] = value;
      return out;
    },
  };
}

const byteValue = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x80, 0x01, 0x7f, 0x10, 0x55, 0xaa, 0xee));

const expectationsArbitrary: fc.Arbitrary<InspectExpectations> = fc.record(
  {
    imageType: fc.constantFrom('raw' as const, 'qcow2' as const),
    disk: fc.record({ name: fc.constant('/dev/sda'), size: fc.integer({ min: 1, max: 2 ** 42 }), logicalSectorSize: fc.constantFrom(512, 4096) }),
    bootMode: fc.constantFrom('uefi' as const, 'legacy' as const),
    efiBootloaderPath: fc.constantFrom('\\EFI\\debian\\shimx64.efi', '\\EFI\\missing.efi'),
  },
  { requiredKeys: [] },
);

const PER_RUN_LIMIT_MS = 10_000;

async function inspectWithin(file: ReadAt, expectations: InspectExpectations): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`inspectImage() took more than ${PER_RUN_LIMIT_MS} ms`)), PER_RUN_LIMIT_MS);
  });
  try {
    const result = await Promise.race([inspectImage(file, expectations), timeout]);
    for (const problem of result.problems) {
      assert.ok(isErrorCode(problem.code), `unknown code ${problem.code}`);
      assert.ok(problem.message.length > 0);
      assert.ok(problem.severity === 'error' || problem.severity === 'warning');
    }
    assert.ok(Number.isSafeInteger(result.virtualSize) && result.virtualSize >= 0);
  } finally {
    clearTimeout(timer);
  }
}

test('inspectImage() returns a result in bounded time for mutated GPT, MBR and qcow2 images', { timeout: 240_000 }, async (t) => {
  if (!needTools(t, 'qemu-img', 'sfdisk', 'mkfs.vfat', 'mkfs.ext4', 'mmd', 'mcopy')) return;
  for (const target of makeTargets()) {
    const size = target.bytes.length;
    // The unmutated image is read whole: the property starts from images where every reader has work to do.
    const clean = await inspectImage(mutated(target.bytes, new Map(), size));
    assert.deepEqual(clean.problems, [], target.name);
    assert.ok((clean.partitionTable?.partitions.length ?? 0) >= 3, target.name);
    const hotOffset = fc.constantFrom(...target.hot).chain(([start, end]) => fc.integer({ min: start, max: Math.min(end, size) - 1 }));
    const anyOffset = fc.integer({ min: 0, max: size - 1 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: hotOffset }, { weight: 1, arbitrary: anyOffset }), byteValue), { minLength: 1, maxLength: 24 }),
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(size) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: size }) },
          { weight: 1, arbitrary: fc.integer({ min: size, max: size * 4 }) },
        ),
        expectationsArbitrary,
        async (edits, newSize, expectations) => {
          await inspectWithin(mutated(target.bytes, new Map(edits), newSize), expectations);
        },
      ),
      { numRuns: 400 },
    );
  }
});

test('inspectImage() returns a result for random bytes of any length, with or without a known header', { timeout: 120_000 }, async () => {
  const magics = [
    [],
    [0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3], // qcow2 v3
    [0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 2],
    [0x4b, 0x44, 0x4d, 0x56], // vmdk
    [0x76, 0x68, 0x64, 0x78, 0x66, 0x69, 0x6c, 0x65], // vhdx
    [0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78], // vpc
    [0x1f, 0x8b, 0x08], // gzip
  ];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...magics), fc.uint8Array({ minLength: 0, maxLength: 6 * 4096 }), fc.boolean(), expectationsArbitrary, async (magic, random, mbrSignature, expectations) => {
      const bytes = new Uint8Array(Math.max(random.length, magic.length));
      bytes.set(random);
      bytes.set(magic);
      if (mbrSignature && bytes.length >= 512) bytes.set([0x55, 0xaa], 510);
      await inspectWithin(mutated(bytes, new Map(), bytes.length), expectations);
    }),
    { numRuns: 600 },
  );
});
