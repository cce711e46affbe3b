import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkImageFormat } from '../../../../src/image/inspect/check-image-format.ts';
import type { ImageFormat } from '../../../../src/image/inspect-result.ts';

test('checkImageFormat() measures against imageType when given, with the seed wording', () => {
  const message = (format: ImageFormat, type: 'raw' | 'qcow2' | null): string[] => checkImageFormat(format, type).map((p) => p.message);
  assert.deepEqual(message('raw', 'raw'), []);
  assert.deepEqual(message('qcow2', 'qcow2'), []);
  assert.deepEqual(message('raw', 'qcow2'), ['image provided format is raw which does not match expected qcow2 format']);
  assert.deepEqual(message('vmdk', 'raw'), ['image provided format is vmdk which does not match expected raw format']);
  assert.deepEqual(message('xz', 'qcow2'), ['image provided format is xz which does not match expected qcow2 format']);
});

test('checkImageFormat() measures a container against qcow2 and a compressed file against raw when no type is given', () => {
  for (const format of ['vmdk', 'vpc', 'vhdx', 'vdi', 'qed', 'qcow', 'luks', 'parallels', 'dmg'] as const) {
    const [problem] = checkImageFormat(format, null);
    assert.equal(problem?.params.expected, 'qcow2', format);
    assert.match(problem?.solution ?? '', new RegExp(`^Convert your image to qcow2 \\(qemu-img convert -f ${format} -O qcow2 `));
  }
  for (const format of ['gzip', 'xz', 'zstd', 'bzip2'] as const) {
    const [problem] = checkImageFormat(format, null);
    assert.equal(problem?.params.expected, 'raw', format);
    assert.equal(problem?.severity, 'error');
    assert.match(problem?.solution ?? '', /^Decompress your image \((gunzip|unxz|unzstd|bunzip2)\) and deploy the result as imageType raw/);
  }
  assert.equal(checkImageFormat('raw', 'qcow2')[0]?.solution, 'Change the value of imageType to raw, or convert your image to qcow2.');
  assert.deepEqual(checkImageFormat('raw', null), []);
  assert.deepEqual(checkImageFormat('qcow2', null), []);
});
