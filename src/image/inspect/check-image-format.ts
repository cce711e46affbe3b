import type { ImageType } from '../../contract/request/install-request.ts';
import type { ImageFormat, ImageProblem } from '../inspect-result.ts';
import { imageProblem } from './image-problem.ts';

const decompressors: Partial<Record<ImageFormat, string>> = { gzip: 'gunzip', xz: 'unxz', zstd: 'unzstd', bzip2: 'bunzip2' };

/**
 * BYOI_IMAGE_FORMAT_MISMATCH when the image is not what the request says ("image provided format is vmdk which
 * does not match expected qcow2 format"). Without an imageType, an image byoi cannot deploy as it is is measured
 * against what it would have to become: a container against qcow2 (qemu-img converts it), a compressed file
 * against raw (decompressing it gives the raw disk). raw and qcow2 fit when nothing is expected.
 *
 * @example
 * ```ts
 * checkImageFormat('vmdk', null)[0]?.message; // "image provided format is vmdk which does not match expected qcow2 format"
 * checkImageFormat('raw', 'raw');             // []
 * ```
 */
export function checkImageFormat(format: ImageFormat, imageType: ImageType | null): ImageProblem[] {
  const decompressor = decompressors[format];
  const expected: ImageType | null = imageType ?? (format === 'raw' || format === 'qcow2' ? null : decompressor !== undefined ? 'raw' : 'qcow2');
  if (expected === null || format === expected) return [];
  const problem = imageProblem('BYOI_IMAGE_FORMAT_MISMATCH', { found: format, expected }, 'error');
  // The catalogue's solution ("Change the value of imageType to vmdk") cannot be followed when imageType has no such
  // value: say what works instead.
  if (decompressor !== undefined) {
    problem.solution = `Decompress your image (${decompressor}) and deploy the result as imageType raw; byoi deploys raw and qcow2 images only.`;
  } else if (format !== 'raw' && format !== 'qcow2') {
    problem.solution = `Convert your image to qcow2 (qemu-img convert -f ${format} -O qcow2 image.${format} image.qcow2) and set imageType to qcow2; byoi deploys raw and qcow2 images only.`;
  }
  return [problem];
}
