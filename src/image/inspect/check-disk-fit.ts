import type { ImageProblem, PartitionTableInfo } from '../inspect-result.ts';
import type { CheckedExpectations } from './inspect-expectations.ts';
import { imageProblem } from './image-problem.ts';

/**
 * BYOI_IMAGE_TOO_LARGE when the disk the image describes is larger than the target disk ("image provided has a
 * size of n bytes which is larger than /dev/sda of m bytes"), and BYOI_IMAGE_SECTOR_SIZE when its partition table
 * counts sectors of another size than the disk's. An MBR is taken as written for 512-byte sectors: nothing in it
 * says otherwise, and on a 4096-byte disk its partitions would start 8 times further.
 *
 * @param virtualSize null when the image's header could not be read
 */
export function checkDiskFit(
  virtualSize: number | null,
  table: PartitionTableInfo | null,
  disk: NonNullable<CheckedExpectations['disk']>,
): ImageProblem[] {
  const problems: ImageProblem[] = [];
  if (disk.size !== null && virtualSize !== null && virtualSize > disk.size) {
    problems.push(imageProblem('BYOI_IMAGE_TOO_LARGE', { imageSize: virtualSize, device: disk.name, deviceSize: disk.size }, 'error'));
  }
  if (disk.logicalSectorSize !== null && table !== null && table.sectorSize !== disk.logicalSectorSize) {
    problems.push(
      imageProblem('BYOI_IMAGE_SECTOR_SIZE', { imageSectorSize: table.sectorSize, device: disk.name, diskSectorSize: disk.logicalSectorSize }, 'error'),
    );
  }
  return problems;
}
