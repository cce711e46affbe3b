import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { writeU64le } from '../bytes.ts';
import {
  ENT_ATTRIBUTES,
  ENT_ENDING_LBA,
  ENT_PARTITION_NAME,
  ENT_PARTITION_NAME_BYTES,
  ENT_PARTITION_TYPE_GUID,
  ENT_STARTING_LBA,
  ENT_UNIQUE_PARTITION_GUID,
} from './gpt-layout.ts';
import { parseGuid } from './parse-guid.ts';

export interface GptEntryFields {
  typeGuid: string;
  uniqueGuid: string;
  startingLba: number;
  endingLba: number;
  attributes?: bigint;
  /** At most 36 UTF-16 code units. */
  name?: string;
}

/**
 * Encodes one partition entry into `entrySize` bytes (FORMAT.md "Partition entry"); bytes past the 128 defined
 * ones stay zero. Throws BYOI_IMAGE_INVALID when the name does not fit in PartitionName.
 *
 * @example
 * ```ts
 * array.set(encodeGptEntry({ typeGuid, uniqueGuid, startingLba: 2048, endingLba: 4095, name: 'config-2' }, 128), slot * 128);
 * ```
 */
export function encodeGptEntry(fields: GptEntryFields, entrySize: number): Uint8Array {
  const entry = new Uint8Array(entrySize);
  entry.set(parseGuid(fields.typeGuid), ENT_PARTITION_TYPE_GUID);
  entry.set(parseGuid(fields.uniqueGuid), ENT_UNIQUE_PARTITION_GUID);
  writeU64le(entry, ENT_STARTING_LBA, fields.startingLba);
  writeU64le(entry, ENT_ENDING_LBA, fields.endingLba);
  writeU64le(entry, ENT_ATTRIBUTES, fields.attributes ?? 0n);
  const name = fields.name ?? '';
  if (name.length * 2 > ENT_PARTITION_NAME_BYTES) {
    throw new ByoiError('BYOI_IMAGE_INVALID', {
      structure: 'GPT partition name',
      reason: `"${name}" has ${name.length} UTF-16 code units, more than ${ENT_PARTITION_NAME_BYTES / 2}`,
    });
  }
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    entry[ENT_PARTITION_NAME + i * 2] = unit & 0xff;
    entry[ENT_PARTITION_NAME + i * 2 + 1] = unit >>> 8;
  }
  return entry;
}
