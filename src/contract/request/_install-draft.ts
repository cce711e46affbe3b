import { ByoiError, isByoiError } from '../errors/byoi-error.ts';
import { byoiOperatingSystem } from './install-request.ts';
import type { FieldError } from './field-error.ts';

// What the two body readers (reinstall, install/start) hand to the one builder: the customizations pulled
// out of either body shape with their field paths, shape errors already recorded.

/** Customizations that arrive as strings in both forms. */
export type StringCustomization =
  | 'imageURL'
  | 'imageType'
  | 'imageCheckSum'
  | 'imageCheckSumType'
  | 'efiBootloaderPath'
  | 'hostname'
  | 'sshKey'
  | 'configDriveUserData';

/** A string customization and where it sits in the body. */
export interface DraftString {
  field: string;
  value: string;
}

/** One header; in install/start its name and value sit in two fields. */
export interface DraftHeader {
  nameField: string;
  valueField: string;
  name: string;
  value: string;
}

/** One configDriveMetadata entry and its field. */
export interface DraftMetadataEntry {
  field: string;
  key: string;
  value: string;
}

/** Everything a body reader extracted, ready for buildInstallRequest(). */
export interface InstallDraft {
  /** Field path of each string customization in this body form, for "missing" errors. */
  fieldOf: Record<StringCustomization, string>;
  strings: Partial<Record<StringCustomization, DraftString>>;
  /** Customizations whose shape was wrong: already reported, so neither "missing" nor validated again. */
  broken: Set<string>;
  httpHeaders: { field: string; entries: DraftHeader[] } | null;
  metadata: { field: string; entries: DraftMetadataEntry[] } | null;
  diskGroupId: number | null;
}

/** A new empty draft for a body form whose fields are named by `fieldOf`. */
export function emptyDraft(fieldOf: Record<StringCustomization, string>): InstallDraft {
  return { fieldOf, strings: {}, broken: new Set(), httpHeaders: null, metadata: null, diskGroupId: null };
}

/** Runs `check`; a ByoiError it throws is recorded against `field` and undefined returned. Others propagate. */
export function attempt<T>(errors: FieldError[], field: string, check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (isByoiError(error)) {
      errors.push({ field, error });
      return undefined;
    }
    throw error;
  }
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own property `key` of `object`, never an inherited one (a body may hold "__proto__" or "constructor"). */
export function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Records a BYOI_REQUEST_BODY error (wrong JSON shape) against `field`. */
export function bodyError(errors: FieldError[], field: string, reason: string): void {
  errors.push({ field, error: new ByoiError('BYOI_REQUEST_BODY', { reason }) });
}

/** Records a BYOI_REQUEST_NOT_APPLICABLE error: an OVH option that a BYOI install cannot honour. */
export function notApplicable(errors: FieldError[], field: string, reason: string): void {
  errors.push({
    field,
    error: new ByoiError('BYOI_REQUEST_NOT_APPLICABLE', { name: field, operatingSystem: byoiOperatingSystem, reason }),
  });
}
