/**
 * Bytes of the image file the decoder waits for, and what they are. Host offsets are file offsets; `next` is the
 * first byte the range still needs (its key in the range heap). Ranges that need all their bytes before anything
 * can be done (tables, compressed clusters) collect them in `buffer` when they straddle chunks.
 */
export type WantedRange = DataRange | L1Range | L2Range | CompressedRange;

/** Standard data clusters (or allocated subclusters), merged while host and guest both follow on. */
export interface DataRange {
  kind: 'data';
  start: number;
  end: number;
  next: number;
  /** Guest offset of the byte at `start`. */
  guestOffset: number;
}

/** The used part of the active L1 table (qcow2.txt "Cluster mapping"). */
export interface L1Range {
  kind: 'l1';
  start: number;
  end: number;
  next: number;
  buffer: Uint8Array | null;
}

/** One L2 table, for one L1 entry (two L1 entries that share a table each get a range). */
export interface L2Range {
  kind: 'l2';
  start: number;
  end: number;
  next: number;
  buffer: Uint8Array | null;
  l1Index: number;
}

/** The bytes of one compressed cluster (qcow2.txt "Compressed Clusters Descriptor"). */
export interface CompressedRange {
  kind: 'compressed';
  start: number;
  /** The descriptor's end, cut at the end of the file once its size is known (qemu reads what is there). */
  end: number;
  next: number;
  buffer: Uint8Array | null;
  guestOffset: number;
  /** host offset + (additional sectors + 1) × 512 − (host offset mod 512), before any cut. */
  descriptorEnd: number;
  /**
   * Start of the next compressed cluster of the same L2 table in host order, or -1. qemu packs compressed data, so
   * when that start falls in this range's last sector it is where this cluster's data really ends.
   */
  nextStart: number;
}

export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** Names a range for messages, as open-qcow2.ts names the same structures. */
export function describeRange(range: WantedRange, clusterSize: number): string {
  if (range.kind === 'l1') return 'qcow2 L1 table';
  if (range.kind === 'l2') return `qcow2 L2 table of L1 entry ${range.l1Index}`;
  if (range.kind === 'compressed') return `qcow2 compressed cluster for guest offset ${hex(range.guestOffset)}`;
  const guest = range.guestOffset + (range.next - range.start);
  return `qcow2 data cluster for guest offset ${hex(guest - (guest % clusterSize))}`;
}
