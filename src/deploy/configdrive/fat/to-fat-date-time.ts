import { configDriveError } from '../_config-drive-error.ts';

/** A FAT directory-entry timestamp (fatgen103 "Date and Time Formats"). */
export interface FatDateTime {
  /** Bits 15-9 year since 1980, 8-5 month 1-12, 4-0 day 1-31. */
  date: number;
  /** Bits 15-11 hours 0-23, 10-5 minutes 0-59, 4-0 seconds / 2 (0-29). */
  time: number;
  /** DIR_CrtTimeTenth: hundredths of a second added to `time`, 0-199 (the odd second and the milliseconds). */
  tenths: number;
}

/**
 * Converts `date` to FAT fields from its UTC components (FAT stores no time zone; byoi writes UTC so the output
 * does not depend on the machine's zone). Refuses years outside 1980-2107, which FAT cannot hold.
 */
export function toFatDateTime(date: Date): FatDateTime {
  const year = date.getUTCFullYear();
  if (!Number.isFinite(year) || year < 1980 || year > 2107) {
    const shown = Number.isNaN(date.getTime()) ? 'an invalid date' : date.toISOString();
    throw configDriveError(`Cannot stamp FAT entries with ${shown}: FAT holds years 1980 to 2107`);
  }
  const seconds = date.getUTCSeconds();
  return {
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (seconds >> 1),
    tenths: (seconds & 1) * 100 + Math.floor(date.getUTCMilliseconds() / 10),
  };
}
