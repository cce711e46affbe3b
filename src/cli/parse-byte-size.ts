const binaryUnits: Readonly<Record<string, number>> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };
const decimalUnits: Readonly<Record<string, number>> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/**
 * Parses a size in bytes as people write disk sizes: "4096", "512M", "10G", "1.5T", "10GiB" (powers of 1024, as
 * qemu-img, truncate and sgdisk read K, M, G, T), or "500GB" (powers of 1000, as disk vendors and truncate read
 * KB, MB, GB, TB). Case does not matter; the result must be a whole number of bytes.
 *
 * @throws RangeError naming what is wrong
 *
 * @example
 * ```ts
 * parseByteSize('10G');   // 10737418240
 * parseByteSize('500GB'); // 500000000000
 * ```
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$/i.exec(text);
  if (match === null) throw new RangeError(`Cannot read the size "${text}": expected bytes, or a number with K, M, G, T (powers of 1024) or KB, MB, GB, TB (powers of 1000)`);
  const [, number = '', prefix = '', suffix = ''] = match;
  const unit = prefix.toUpperCase();
  const lower = suffix.toLowerCase();
  if (unit === '' && lower.startsWith('i')) throw new RangeError(`Cannot read the size "${text}": "i" needs a unit before it, as in 10GiB`);
  // "GB" is decimal; "G", "Gi" and "GiB" are binary.
  const factor = unit !== '' && lower === 'b' ? decimalUnits[unit] : binaryUnits[unit];
  if (factor === undefined) throw new RangeError(`Cannot read the size "${text}": unknown unit`);
  const bytes = Number(number) * factor;
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`Cannot read the size "${text}": it is not a whole number of bytes below 8 PiB`);
  return bytes;
}
