import { ByoiError, isByoiError } from '../errors/byoi-error.ts';
import { parseSshKey } from '../ssh-key/parse-ssh-key.ts';
import { parseUserData } from '../user-data/parse-user-data.ts';
import { attempt, type InstallDraft, type StringCustomization } from './_install-draft.ts';
import type { FieldError } from './field-error.ts';
import { byoiOperatingSystem, type HttpHeader, type ImageChecksum, type InstallRequest } from './install-request.ts';
import { validateChecksum } from './validate-checksum.ts';
import { validateEfiBootloaderPath } from './validate-efi-bootloader-path.ts';
import { validateHostname } from './validate-hostname.ts';
import { validateHttpHeaderName, validateHttpHeaders, validateHttpHeaderValue } from './validate-http-headers.ts';
import { validateImageType } from './validate-image-type.ts';
import { validateImageUrl } from './validate-image-url.ts';
import { validateMetadata, validateMetadataEntry } from './validate-metadata.ts';

// Marks a customization that was recorded as an error; the request is not built when any is present.
const failed = Symbol('failed');

/**
 * Validates every customization of a draft, records each problem in `errors` (in a fixed order: image URL,
 * type, checksum, EFI path, headers, hostname, SSH key, user data, metadata) and returns the request when
 * `errors` is empty at the end (so shape errors recorded by the body reader also prevent a request).
 */
export function buildInstallRequest(draft: InstallDraft, errors: FieldError[]): InstallRequest | null {
  const url = required(draft, errors, 'imageURL', validateImageUrl);
  const type = required(draft, errors, 'imageType', validateImageType);
  const checksum = checksumOf(draft, errors);
  const efiBootloaderPath = optional(draft, errors, 'efiBootloaderPath', validateEfiBootloaderPath);
  const httpHeaders = headersOf(draft, errors);
  const hostname = optional(draft, errors, 'hostname', validateHostname);
  const sshKey = optional(draft, errors, 'sshKey', parseSshKey);
  const userData = optional(draft, errors, 'configDriveUserData', parseUserData);
  const metadata = metadataOf(draft, errors);

  if (errors.length > 0) return null;
  if (url === failed || type === failed) return null;
  if (checksum === failed || efiBootloaderPath === failed || httpHeaders === failed) return null;
  if (hostname === failed || sshKey === failed || userData === failed || metadata === failed) return null;
  return {
    operatingSystem: byoiOperatingSystem,
    image: { url, type, checksum, httpHeaders },
    efiBootloaderPath,
    hostname,
    sshKey,
    userData,
    metadata,
    diskGroupId: draft.diskGroupId,
  };
}

/** A given string customization; '' counts as not given (forms and Terraform send it for empty fields). */
function given(draft: InstallDraft, name: StringCustomization): { field: string; value: string } | null {
  const entry = draft.strings[name];
  return entry === undefined || entry.value === '' ? null : entry;
}

function required<T>(
  draft: InstallDraft,
  errors: FieldError[],
  name: StringCustomization,
  check: (value: string) => T,
): T | typeof failed {
  if (draft.broken.has(name)) return failed;
  const entry = given(draft, name);
  if (entry === null) {
    errors.push({
      field: draft.fieldOf[name],
      error: new ByoiError('BYOI_REQUEST_MISSING_CUSTOMIZATION', { customizationName: name, operatingSystem: byoiOperatingSystem }),
    });
    return failed;
  }
  return attempt(errors, entry.field, () => check(entry.value)) ?? failed;
}

function optional<T>(
  draft: InstallDraft,
  errors: FieldError[],
  name: StringCustomization,
  check: (value: string) => T,
): T | null | typeof failed {
  if (draft.broken.has(name)) return failed;
  const entry = given(draft, name);
  if (entry === null) return null;
  return attempt(errors, entry.field, () => check(entry.value)) ?? failed;
}

function checksumOf(draft: InstallDraft, errors: FieldError[]): ImageChecksum | null | typeof failed {
  if (draft.broken.has('imageCheckSum') || draft.broken.has('imageCheckSumType')) return failed;
  const sum = given(draft, 'imageCheckSum');
  const type = given(draft, 'imageCheckSumType');
  try {
    return validateChecksum(sum?.value ?? null, type?.value ?? null);
  } catch (error) {
    if (!isByoiError(error)) throw error;
    // The pair error belongs to the half that is missing, a bad type to the type, a bad digest to the digest.
    let field: string;
    if (error.code === 'BYOI_REQUEST_CHECKSUM_PAIR') {
      field = sum === null ? draft.fieldOf.imageCheckSum : draft.fieldOf.imageCheckSumType;
    } else if (error.code === 'BYOI_REQUEST_CHECKSUM_TYPE') {
      field = type?.field ?? draft.fieldOf.imageCheckSumType;
    } else {
      field = sum?.field ?? draft.fieldOf.imageCheckSum;
    }
    errors.push({ field, error });
    return failed;
  }
}

function headersOf(draft: InstallDraft, errors: FieldError[]): HttpHeader[] | typeof failed {
  if (draft.broken.has('httpHeaders')) return failed;
  if (draft.httpHeaders === null) return [];
  const { field, entries } = draft.httpHeaders;
  let ok = true;
  for (const entry of entries) {
    const name = attempt(errors, entry.nameField, () => validateHttpHeaderName(entry.name));
    const value = attempt(errors, entry.valueField, () => validateHttpHeaderValue(entry.name, entry.value));
    if (name === undefined || value === undefined) ok = false;
  }
  if (!ok) return failed;
  const list = entries.map(({ name, value }) => ({ name, value }));
  return attempt(errors, field, () => validateHttpHeaders(list)) ?? failed;
}

function metadataOf(draft: InstallDraft, errors: FieldError[]): Record<string, string> | typeof failed {
  if (draft.broken.has('configDriveMetadata')) return failed;
  if (draft.metadata === null) return {};
  const { field, entries } = draft.metadata;
  let ok = true;
  for (const entry of entries) {
    if (attempt(errors, entry.field, () => validateMetadataEntry(entry.key, entry.value)) === undefined) ok = false;
  }
  if (!ok) return failed;
  return attempt(errors, field, () => validateMetadata(entries.map(({ key, value }) => [key, value] as const))) ?? failed;
}
