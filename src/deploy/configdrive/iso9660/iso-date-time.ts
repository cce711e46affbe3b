/**
 * ECMA-119 8.4.26.1 volume descriptor date and time: 16 ASCII digits "YYYYMMDDHHMMSScc" (cc = hundredths) and
 * the offset from GMT in 15-minute units. byoi writes UTC, offset 0.
 */
export function encodeVolumeDateTime(date: Date): Uint8Array {
  const digits =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2) +
    pad(Math.floor(date.getUTCMilliseconds() / 10), 2);
  const bytes = new Uint8Array(17);
  for (let i = 0; i < 16; i++) bytes[i] = digits.charCodeAt(i);
  bytes[16] = 0;
  return bytes;
}

/** ECMA-119 8.4.26.1 "not specified": sixteen '0' digits and a zero offset (used for expiration and effective dates). */
export function unspecifiedVolumeDateTime(): Uint8Array {
  const bytes = new Uint8Array(17).fill(0x30);
  bytes[16] = 0;
  return bytes;
}

/**
 * ECMA-119 9.1.5 recording date and time of a directory record, 7 bytes: years since 1900, month, day, hour,
 * minute, second, offset from GMT in 15-minute units (0: byoi writes UTC). The same form is RRIP's short TF time.
 */
export function encodeRecordDateTime(date: Date): Uint8Array {
  return Uint8Array.of(
    date.getUTCFullYear() - 1900,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    0,
  );
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
