import { hex } from './_wanted-range.ts';
import type { Qcow2Geometry } from './_qcow2-geometry.ts';

/**
 * Names the metadata that host bytes [start, end) overlap, or returns null: the header cluster, the L1 table, the
 * refcount table, or an L2 table of the active L1 table. Guest data there would be an image that maps its own
 * tables (an L2 table that maps itself, for one): refused, as openQcow2() refuses it (FORMAT.md "Notes").
 *
 * @param l2Offsets host offsets of the active L2 tables, sorted ascending (duplicates allowed)
 */
export function metadataOverlap(geometry: Qcow2Geometry, l2Offsets: Float64Array, start: number, end: number): string | null {
  for (const region of geometry.fixedMetadata) {
    if (start < region.end && end > region.start) return region.name;
  }
  // The first table that ends after `start`; tables are one cluster long and sorted by offset.
  let low = 0;
  let high = l2Offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((l2Offsets[middle] as number) + geometry.clusterSize <= start) low = middle + 1;
    else high = middle;
  }
  if (low < l2Offsets.length) {
    const offset = l2Offsets[low] as number;
    if (offset < end) return `the L2 table at ${hex(offset)}`;
  }
  return null;
}
