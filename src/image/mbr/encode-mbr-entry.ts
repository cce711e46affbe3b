import { writeU32le } from '../bytes.ts';
import { MBR_ENTRY_SIZE, PE_CHS_FIRST, PE_CHS_LAST, PE_LBA_FIRST, PE_SECTOR_COUNT, PE_STATUS, PE_TYPE, STATUS_ACTIVE, STATUS_INACTIVE } from './mbr-layout.ts';

export interface MbrEntryFields {
  type: number;
  startLba: number;
  sectorCount: number;
  active?: boolean;
}

/**
 * Encodes one 16-byte MBR partition entry (FORMAT.md "Partition entry"). The CHS fields are derived from the
 * LBAs with the 255-head, 63-sector geometry fdisk uses, and set to 1023/254/63 past cylinder 1023.
 *
 * @example
 * ```ts
 * sector.set(encodeMbrEntry({ type: 0x0c, startLba: 2048, sectorCount: 131072 }), 446 + 16 * slot);
 * ```
 */
export function encodeMbrEntry(fields: MbrEntryFields): Uint8Array {
  const entry = new Uint8Array(MBR_ENTRY_SIZE);
  entry[PE_STATUS] = fields.active === true ? STATUS_ACTIVE : STATUS_INACTIVE;
  entry.set(chs(fields.startLba), PE_CHS_FIRST);
  entry[PE_TYPE] = fields.type;
  entry.set(chs(fields.startLba + fields.sectorCount - 1), PE_CHS_LAST);
  writeU32le(entry, PE_LBA_FIRST, fields.startLba);
  writeU32le(entry, PE_SECTOR_COUNT, fields.sectorCount);
  return entry;
}

const heads = 255;
const sectorsPerTrack = 63;

/** Head, then sector with the cylinder's two high bits in bits 6..7, then the cylinder's low byte. */
function chs(lba: number): number[] {
  let cylinder = Math.floor(lba / (heads * sectorsPerTrack));
  let head = Math.floor(lba / sectorsPerTrack) % heads;
  let sector = (lba % sectorsPerTrack) + 1;
  if (cylinder > 1023) {
    cylinder = 1023;
    head = 254;
    sector = 63;
  }
  return [head, sector | ((cylinder >> 2) & 0xc0), cylinder & 0xff];
}
