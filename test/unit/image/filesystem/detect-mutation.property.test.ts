// Property: detectFilesystem() on real filesystems with bytes of their superblocks changed returns a result
// or null, and never throws: probes are lenient by design (src/image/filesystem/FORMAT.md).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { checkRange, type ReadAt } from '../../../../src/image/read-at.ts';
import { detectFilesystem } from '../../../../src/image/filesystem/detect-filesystem.ts';

function patchedReadAt(base: Uint8Array, patches: ReadonlyMap<number, number>): ReadAt {
  return {
    size: base.length,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(base.length, offset, length, 'image');
      const out = base.slice(offset, offset + length);
      for (const [at, value] of patches) if (at >= offset && at < offset + length) out[at - offset] = value;
      return out;
    },
  };
}

const makers: { name: string; tools: string[]; make: (dir: string) => string; hot: [number, number][] }[] = [
  {
    name: 'ext4',
    tools: ['mkfs.ext4'],
    make: (dir) => {
      const image = join(dir, 'ext4.img');
      run('truncate', ['-s', '4M', image]);
      run('mkfs.ext4', ['-q', '-F', '-L', 'root', image]);
      return image;
    },
    hot: [[1024, 1024 + 512]],
  },
  {
    name: 'NTFS',
    tools: ['mkfs.ntfs'],
    make: (dir) => {
      const image = join(dir, 'ntfs.img');
      run('truncate', ['-s', '8M', image]);
      run('mkfs.ntfs', ['-q', '-F', '-f', '-L', 'Windows', image]);
      return image;
    },
    // The boot sector, then the MFT records 0..3 wherever the boot sector says the MFT is.
    hot: [[0, 512]],
  },
  {
    name: 'LUKS2',
    tools: ['cryptsetup'],
    make: (dir) => {
      const image = join(dir, 'luks.img');
      run('truncate', ['-s', '20M', image]);
      writeFileSync(join(dir, 'key'), 'key');
      run('cryptsetup', ['luksFormat', '--batch-mode', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file', join(dir, 'key'), image]);
      return image;
    },
    hot: [[0, 512], [0x4000, 0x4000 + 512]],
  },
  {
    name: 'swap',
    tools: ['mkswap'],
    make: (dir) => {
      const image = join(dir, 'swap.img');
      run('truncate', ['-s', '1M', image]);
      run('mkswap', ['-L', 'swap', image]);
      return image;
    },
    hot: [[1024, 1300], [4086, 4096]],
  },
];

for (const maker of makers) {
  test(`detectFilesystem() never throws on a mutated ${maker.name} superblock`, { timeout: 120_000 }, async (t) => {
    if (!needTools(t, ...maker.tools)) return;
    const base = new Uint8Array(readFileSync(maker.make(tempDir(t))));
    const hot = [...maker.hot];
    if (maker.name === 'NTFS') {
      const view = new DataView(base.buffer);
      const mft = Number(view.getBigUint64(48, true)) * view.getUint16(11, true) * (base[13] ?? 1);
      hot.push([mft, mft + 4 * 1024]);
    }
    const position = fc.integer({ min: 0, max: hot.length - 1 }).chain((r) => {
      const [from, to] = hot[r] as [number, number];
      return fc.integer({ min: from, max: to - 1 });
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (patches) => {
        const found = await detectFilesystem(patchedReadAt(base, new Map(patches)), 0, base.length);
        assert.ok(found === null || typeof found.type === 'string');
      }),
      { numRuns: 300 },
    );
  });
}
