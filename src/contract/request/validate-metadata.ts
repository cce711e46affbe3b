import { ByoiError } from '../errors/byoi-error.ts';
import { requestLimits } from '../request-limits.ts';
import { printable } from './printable.ts';

// cloud-init reads meta.dsmode (sources/helpers/openstack.py read_v2) to decide how to use the config drive;
// "pass" and "disabled" would stop it applying the hostname, the SSH key and the user data.
const dsmodes = ['local', 'net'];

/**
 * Checks one configDriveMetadata entry. Keys: 1 to requestLimits.metadataKeyMaxLength characters without
 * control characters. Values: at most requestLimits.metadataValueMaxLength characters, control characters
 * other than tab and line breaks refused. Both must be well-formed UTF-16 (they become UTF-8 JSON). The
 * entries land under "meta" in meta_data.json, so a key like `hostname` never replaces a top-level field; the
 * one key cloud-init itself reads there, `dsmode`, may only be `local` or `net`. Returns the entry.
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name configDriveMetadata, type map)
 */
export function validateMetadataEntry(key: string, value: string): readonly [string, string] {
  if (key === '') throw invalid('a key is empty');
  if (key.length > requestLimits.metadataKeyMaxLength) {
    throw invalid(`the key ${printable(key)} is longer than ${requestLimits.metadataKeyMaxLength} characters`);
  }
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key) || hasLoneSurrogate(key)) {
    throw invalid(`the key ${printable(key)} holds control characters or unpaired surrogates`);
  }
  if (value.length > requestLimits.metadataValueMaxLength) {
    throw invalid(`the value of ${printable(key)} is longer than ${requestLimits.metadataValueMaxLength} characters`);
  }
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value) || hasLoneSurrogate(value)) {
    throw invalid(`the value of ${printable(key)} holds control characters or unpaired surrogates`);
  }
  if (key === 'dsmode' && !dsmodes.includes(value)) {
    throw invalid(
      'dsmode may only be local or net: other values stop cloud-init from applying the hostname, the SSH key and the user data',
    );
  }
  return [key, value];
}

/**
 * Checks configDriveMetadata as a whole (each entry as above, at most requestLimits.metadataMaxEntries) and
 * returns it as a plain object in the given order.
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name configDriveMetadata, type map)
 */
export function validateMetadata(entries: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  if (entries.length > requestLimits.metadataMaxEntries) {
    throw invalid(`there are ${entries.length} entries; the limit is ${requestLimits.metadataMaxEntries}`);
  }
  for (const [key, value] of entries) validateMetadataEntry(key, value);
  // Object.fromEntries defines own properties, so a key such as "__proto__" stays an ordinary entry.
  return Object.fromEntries(entries);
}

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

function invalid(msg: string): ByoiError {
  return new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'configDriveMetadata', type: 'map', msg });
}
