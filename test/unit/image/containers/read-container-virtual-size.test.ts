import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { isErrorCode } from '../../../../src/contract/errors/catalogue.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { readContainerVirtualSize } from '../../../../src/image/containers/read-container-virtual-size.ts';
import { crc32c } from '../../../../src/image/containers/_crc32c.ts';
import { vpcFooterSectors } from '../../../../src/image/containers/read-vpc-virtual-size.ts';
import { sniffFormat } from '../../../../src/image/sniff/sniff-format.ts';
import type { ImageFormat } from '../../../../src/image/inspect-result.ts';
import { needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import { makeCryptsetupLuks, makeQemuContainers, type ContainerFixture } from '../../../fixtures/container-fixtures.ts';
import { qemuImgInfo } from '../../../fixtures/qcow2-fixtures.ts';

const dir = tempDir({ after }, 'byoi-containers-');
let fixtures: ContainerFixture[] | null = null;

function containers(): ContainerFixture[] {
  fixtures ??= makeQemuContainers(dir);
  return fixtures;
}

/** The format qemu-img gives the file (with -f when the fixture needs it). */
function formatOf(fixture: ContainerFixture): ImageFormat {
  return qemuImgInfo(fixture.path, fixture.infoOptions).format as ImageFormat;
}

test('readContainerVirtualSize() agrees with qemu-img info "virtual-size" for every container', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  for (const fixture of containers()) {
    await t.test(fixture.name, async () => {
      const info = qemuImgInfo(fixture.path, fixture.infoOptions);
      const size = await readContainerVirtualSize(info.format as ImageFormat, bufferReadAt(readFileSync(fixture.path)));
      assert.equal(size, info['virtual-size']);
    });
  }
});

test("readContainerVirtualSize() follows qemu's VHD size rule: CHS geometry unless the creator writes an exact size", async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const byName = new Map(containers().map((f) => [f.name, f]));
  const chs = byName.get('vpc dynamic (CHS geometry)') as ContainerFixture;
  const exact = byName.get('vpc dynamic force_size') as ContainerFixture;
  // Same requested size (10 MiB): "qemu" creator → geometry rounded up; "qem2" → current_size.
  assert.equal(await readContainerVirtualSize('vpc', bufferReadAt(readFileSync(chs.path))), 10514432);
  assert.equal(await readContainerVirtualSize('vpc', bufferReadAt(readFileSync(exact.path))), 10 * 1024 * 1024);

  const footer = new Uint8Array(512);
  const view = new DataView(footer.buffer);
  view.setBigUint64(48, 123456789n * 512n); // current_size
  view.setUint16(56, 100); // cylinders
  footer[58] = 4; // heads
  footer[59] = 17; // sectors per track
  footer.set(new TextEncoder().encode('vpc '), 28);
  assert.equal(vpcFooterSectors(footer), 100 * 4 * 17);
  footer.set(new TextEncoder().encode('win '), 28);
  assert.equal(vpcFooterSectors(footer), 123456789);
  footer.set(new TextEncoder().encode('vpc '), 28);
  view.setUint16(56, 65535);
  footer[58] = 16;
  footer[59] = 255;
  assert.equal(vpcFooterSectors(footer), 123456789, 'maximum geometry: current_size');
});

test('readContainerVirtualSize() reads LUKS1 and LUKS2 volumes made by cryptsetup', async (t) => {
  if (!needTools(t, 'qemu-img', 'cryptsetup')) return;
  const luks1 = makeCryptsetupLuks(dir, 'luks1') as string;
  assert.equal(await readContainerVirtualSize('luks', bufferReadAt(readFileSync(luks1))), qemuImgInfo(luks1)['virtual-size']);
  // qemu-img cannot open LUKS2: the oracle is cryptsetup's segment offset, "length: (whole device)".
  const luks2 = makeCryptsetupLuks(dir, 'luks2') as string;
  const dump = run('cryptsetup', ['luksDump', luks2]);
  const offset = Number(/offset:\s+(\d+) \[bytes\]/.exec(dump)?.[1]);
  assert.match(dump, /length:\s+\(whole device\)/);
  const bytes = readFileSync(luks2);
  assert.equal(await readContainerVirtualSize('luks', bufferReadAt(bytes)), bytes.length - offset);

  // A LUKS2 header whose JSON was changed without updating the checksum is refused.
  const tampered = new Uint8Array(bytes);
  const at = Buffer.from(tampered).indexOf('"offset":"');
  tampered[at + 10] = 0x39;
  await assert.rejects(readContainerVirtualSize('luks', bufferReadAt(tampered)), { code: 'BYOI_IMAGE_INVALID' });
});

test('readContainerVirtualSize() refuses formats whose size needs decompressing', async () => {
  for (const format of ['gzip', 'xz', 'zstd', 'bzip2', 'dmg'] as const) {
    await assert.rejects(readContainerVirtualSize(format, bufferReadAt(new Uint8Array(4096))), { code: 'BYOI_IMAGE_UNSUPPORTED_FEATURE' });
  }
  assert.equal(await readContainerVirtualSize('raw', bufferReadAt(new Uint8Array(4096))), 4096);
});

test('readContainerVirtualSize() uses the second VHDX header when the first is damaged, and refuses when both are', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  const fixture = containers().find((f) => f.name === 'vhdx dynamic') as ContainerFixture;
  const bytes = new Uint8Array(readFileSync(fixture.path));
  const one = new Uint8Array(bytes);
  one[64 * 1024 + 100] = (one[64 * 1024 + 100] as number) ^ 0xff;
  assert.equal(await readContainerVirtualSize('vhdx', bufferReadAt(one)), 10 * 1024 * 1024);
  const both = new Uint8Array(one);
  both[128 * 1024 + 100] = (both[128 * 1024 + 100] as number) ^ 0xff;
  await assert.rejects(readContainerVirtualSize('vhdx', bufferReadAt(both)), { code: 'BYOI_IMAGE_INVALID' });
  // The oracle: qemu-img refuses it too.
  const path = `${fixture.path}.both`;
  writeFileSync(path, both);
  assert.notEqual(runStatus('qemu-img', ['info', '-f', 'vhdx', path]).status, 0);
});

test('crc32c() computes the Castagnoli CRC', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test('readContainerVirtualSize() throws only ByoiError for truncated and mutated headers', { timeout: 120_000 }, async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  for (const fixture of containers()) {
    const bytes = new Uint8Array(readFileSync(fixture.path));
    const format = formatOf(fixture) === 'raw' ? 'vpc' : formatOf(fixture);
    const attempt = async (candidate: Uint8Array): Promise<void> => {
      try {
        const size = await readContainerVirtualSize(format, bufferReadAt(candidate));
        assert.ok(Number.isSafeInteger(size) && size >= 0, `${fixture.name}: size ${size}`);
      } catch (error) {
        const e = error as { name?: unknown; code?: unknown };
        if (e.name === 'ByoiError' && typeof e.code === 'string' && isErrorCode(e.code)) return;
        throw error;
      }
    };
    // Headers live in the first 1 MiB + 64 KiB (VHDX metadata at 1 MiB, qcow2 tables) and, for footers, the end.
    const span = Math.min(bytes.length, 1024 * 1024 + 65536);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: span - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), async (mutations) => {
        const candidate = new Uint8Array(bytes);
        // Aim half the mutations at the first 4 KiB, where the fields are.
        for (const [offset, value] of mutations) candidate[offset % 2 === 0 ? offset % 4096 : offset] = value;
        await attempt(candidate);
      }),
      { numRuns: 40, seed: 11 },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: Math.min(bytes.length, 2 * 1024 * 1024) }), async (cut) => attempt(bytes.subarray(0, cut))),
      { numRuns: 20, seed: 12 },
    );
  }
});

test('sniffFormat() and readContainerVirtualSize() together describe each container as qemu-img does', async (t) => {
  if (!needTools(t, 'qemu-img')) return;
  for (const fixture of containers()) {
    if (fixture.infoOptions.length > 0) continue; // fixed VHDs probe as raw on purpose
    const bytes = readFileSync(fixture.path);
    const format = sniffFormat(bytes.subarray(0, 1024 * 1024), bytes.subarray(Math.max(0, bytes.length - 4096)));
    const info = qemuImgInfo(fixture.path);
    assert.equal(format, info.format, fixture.name);
    assert.equal(await readContainerVirtualSize(format, bufferReadAt(bytes)), info['virtual-size'], fixture.name);
  }
});
