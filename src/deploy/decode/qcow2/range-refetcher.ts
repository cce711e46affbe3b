/** A byte range of the image file: `length` bytes from `offset`. */
export interface HostRange {
  readonly offset: number;
  readonly length: number;
}

/** Bytes of the image file read again, starting at `offset`. */
export interface RefetchedBytes {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * Reads parts of the image file a second time, for the qcow2 decoder's clusters that passed before the table that
 * maps them and did not fit in its memory budget (see DESIGN.md "Out-of-order images").
 *
 * The decoder asks once per round, at end(), with `ranges` sorted by offset, inside the file, neither overlapping
 * nor touching (adjacent ranges are already merged). The implementation yields the bytes of the first range, then
 * of the second, and so on, in pieces of any size: each piece lies inside one range and starts where the previous
 * one ended. It must read the same representation as the stream did (HTTP: `If-Range` or `If-Match` with the
 * validator of the download; a server without Range support: a second streaming pass that skips what is not
 * asked). The decoder checks each piece's offset and, where it recorded one, each block's digest.
 *
 * @example
 * ```ts
 * const refetch: RangeRefetcher = {
 *   async *readRanges(ranges) {
 *     for (const range of ranges) yield { offset: range.offset, bytes: await file.readAt(range.offset, range.length) };
 *   },
 * };
 * ```
 */
export interface RangeRefetcher {
  readRanges(ranges: readonly HostRange[], signal?: AbortSignal): AsyncIterable<RefetchedBytes>;
}
