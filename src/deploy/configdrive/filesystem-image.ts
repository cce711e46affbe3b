/** A run of bytes at `offset` (bytes from the start of the filesystem). */
export interface Extent {
  offset: number;
  bytes: Uint8Array;
}

/**
 * A filesystem built in memory as the list of its non-zero regions. Every byte of [0, sizeBytes) that no extent
 * covers must read as zero: the caller zeroes the target range, then writes each extent. Extents are sorted by
 * offset and never overlap; file extents share the caller's buffers (no copy), so the image never holds the
 * whole volume in memory.
 */
export interface FilesystemImage {
  sizeBytes: number;
  extents: readonly Extent[];
}
