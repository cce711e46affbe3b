import type { InspectResult } from '../inspect-result.ts';
import type { ImageInspection } from './inspect-image.ts';

/**
 * The JSON form `byoi inspect --json` prints: the inspection's facts with where the bytes came from and how they
 * were read, without the `guest` reader. Keys in InspectResult's order, so the output reads top-down.
 *
 * @param source display form of the location (no userinfo, no query string)
 */
export function toInspectResult(inspection: ImageInspection, source: string, access: InspectResult['access']): InspectResult {
  return {
    source,
    fileSize: inspection.fileSize,
    format: inspection.format,
    virtualSize: inspection.virtualSize,
    qcow2: inspection.qcow2,
    partitionTable: inspection.partitionTable,
    contents: inspection.contents,
    boot: inspection.boot,
    problems: inspection.problems,
    unchecked: inspection.unchecked,
    fixedVhdFooter: inspection.fixedVhdFooter,
    checksum: inspection.checksum,
    access,
  };
}
