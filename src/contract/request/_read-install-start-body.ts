import { ByoiError } from '../errors/byoi-error.ts';
import {
  attempt,
  bodyError,
  emptyDraft,
  isJsonObject,
  notApplicable,
  own,
  type DraftHeader,
  type DraftMetadataEntry,
  type InstallDraft,
  type StringCustomization,
} from './_install-draft.ts';
import type { FieldError } from './field-error.ts';
import { byoiOperatingSystem } from './install-request.ts';
import { printable } from './printable.ts';
import { validateDiskGroupId } from './validate-disk-group-id.ts';

const topKeys = ['templateName', 'details', 'userMetadata', 'partitionSchemeName'];

// userMetadata keys of OVH's BYOI guide (2024-07 edition) that carry one string each. The hostname comes from
// details.customHostname in this form.
const stringKeys: readonly StringCustomization[] = [
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'efiBootloaderPath',
  'sshKey',
  'configDriveUserData',
];
// Terraform's 2024 docs spelled it with a lower-case s.
const checksumTypeAlias = 'imageChecksumType';
const headerKey = /^httpHeaders(0|[1-9][0-9]{0,2})(Key|Value)$/;

// dedicated.server.InstallCustom fields (current and removed ones) that mean nothing for a BYOI install,
// with the reason; null, '' and false are accepted as "not set".
const detailsNotApplicable: Record<string, string> = {
  softRaidDevices: 'byoi does not build software RAID',
  postInstallationScriptLink: 'give the script as configDriveUserData (#! script or cloud-config runcmd) instead',
  postInstallationScriptReturn: 'give the script as configDriveUserData (#! script or cloud-config runcmd) instead',
  language: 'the image brings its own settings; set the locale in configDriveUserData (cloud-config locale:)',
  useSpla: 'licensing options do not apply to your own image',
  installSqlServer: 'licensing options do not apply to your own image',
  useDistribKernel: 'the image brings its own kernel',
  resetHwRaid: 'byoi does not configure hardware RAID',
  sshKeyName: 'stored SSH keys are not used; put the public key in the sshKey userMetadata entry',
};

/**
 * Reads a `POST /dedicated/server/{serviceName}/install/start` body (`templateName`, `details`,
 * `userMetadata: [{key, value}]`, headers as `httpHeaders<N>Key`/`httpHeaders<N>Value` pairs) into a draft,
 * recording shape problems. configDriveMetadata, a map, arrives as one string here: byoi reads it as a JSON
 * object of strings. Returns null when the body is not even an object.
 */
export function readInstallStartBody(body: unknown, errors: FieldError[]): InstallDraft | null {
  if (!isJsonObject(body)) {
    bodyError(errors, '', 'the body must be a JSON object');
    return null;
  }
  const draft = emptyDraft({
    imageURL: 'userMetadata.imageURL',
    imageType: 'userMetadata.imageType',
    imageCheckSum: 'userMetadata.imageCheckSum',
    imageCheckSumType: 'userMetadata.imageCheckSumType',
    efiBootloaderPath: 'userMetadata.efiBootloaderPath',
    hostname: 'details.customHostname',
    sshKey: 'userMetadata.sshKey',
    configDriveUserData: 'userMetadata.configDriveUserData',
  });

  readTemplateName(own(body, 'templateName'), errors);
  for (const key of Object.keys(body)) {
    if (!topKeys.includes(key)) {
      bodyError(errors, key, `${printable(key)} is not a property of the install/start body (it takes ${topKeys.join(', ')})`);
    }
  }
  const scheme = own(body, 'partitionSchemeName');
  if (scheme !== undefined && scheme !== null && typeof scheme !== 'string') {
    bodyError(errors, 'partitionSchemeName', 'partitionSchemeName must be a string');
  } else if (typeof scheme === 'string' && scheme !== '' && scheme !== 'default') {
    notApplicable(errors, 'partitionSchemeName', 'the image brings its own partition table, so BYOI does not partition disks');
  }
  readDetails(own(body, 'details'), draft, errors);
  readUserMetadata(own(body, 'userMetadata'), draft, errors);
  return draft;
}

function readTemplateName(value: unknown, errors: FieldError[]): void {
  if (value === undefined || value === null) {
    bodyError(errors, 'templateName', 'templateName is missing');
  } else if (typeof value !== 'string') {
    bodyError(errors, 'templateName', 'templateName must be a string');
  } else if (value !== byoiOperatingSystem) {
    errors.push({ field: 'templateName', error: new ByoiError('BYOI_REQUEST_OPERATING_SYSTEM', { operatingSystem: printable(value) }) });
  }
}

function readDetails(value: unknown, draft: InstallDraft, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (!isJsonObject(value)) {
    bodyError(errors, 'details', 'details must be an object');
    draft.broken.add('hostname');
    return;
  }
  for (const key of Object.keys(value)) {
    const field = `details.${key}`;
    const item = value[key];
    if (key === 'customHostname') {
      if (typeof item === 'string') {
        draft.strings.hostname = { field, value: item };
      } else if (item !== null) {
        bodyError(errors, field, `${field} must be a string`);
        draft.broken.add('hostname');
      }
    } else if (key === 'diskGroupId') {
      draft.diskGroupId = attempt(errors, field, () => validateDiskGroupId(item, field)) ?? null;
    } else if (key === 'noRaid') {
      // byoi never builds software RAID, so true and false mean the same here.
      if (item !== null && typeof item !== 'boolean') bodyError(errors, field, `${field} must be a boolean`);
    } else if (Object.hasOwn(detailsNotApplicable, key)) {
      if (item !== null && item !== '' && item !== false) notApplicable(errors, field, detailsNotApplicable[key] as string);
    } else {
      bodyError(errors, field, `${printable(key)} is not a property of details (BYOI takes customHostname, diskGroupId)`);
    }
  }
}

interface HeaderHalf {
  field: string;
  value: string;
}

function readUserMetadata(value: unknown, draft: InstallDraft, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    bodyError(errors, 'userMetadata', 'userMetadata must be an array of {key, value} objects');
    for (const key of [...stringKeys, 'httpHeaders', 'configDriveMetadata']) draft.broken.add(key);
    return;
  }
  const seen = new Set<string>();
  const halves = new Map<number, { Key?: HeaderHalf; Value?: HeaderHalf }>();
  value.forEach((item: unknown, index: number) => {
    const shape = isJsonObject(item) ? item : null;
    const key = shape === null ? undefined : own(shape, 'key');
    const itemValue = shape === null ? undefined : own(shape, 'value');
    if (shape === null || typeof key !== 'string' || typeof itemValue !== 'string' || Object.keys(shape).some((k) => k !== 'key' && k !== 'value')) {
      bodyError(errors, `userMetadata[${index}]`, `userMetadata[${index}] must be an object {key, value} whose key and value are strings`);
      if (typeof key === 'string') draft.broken.add(canonicalKey(key));
      return;
    }
    const field = `userMetadata.${key}`;
    if (seen.has(key)) {
      bodyError(errors, field, `userMetadata holds the key ${printable(key)} more than once`);
      draft.broken.add(canonicalKey(key));
      return;
    }
    seen.add(key);

    const canonical = canonicalKey(key);
    const header = headerKey.exec(key);
    if (header !== null) {
      const slot = Number(header[1]);
      const pair = halves.get(slot) ?? {};
      pair[header[2] as 'Key' | 'Value'] = { field, value: itemValue };
      halves.set(slot, pair);
    } else if ((stringKeys as readonly string[]).includes(canonical)) {
      if ((key === checksumTypeAlias && seen.has('imageCheckSumType')) || (key === 'imageCheckSumType' && seen.has(checksumTypeAlias))) {
        errors.push({
          field,
          error: new ByoiError('BYOI_REQUEST_INCOMPATIBLE_PARAMS', { paramName1: 'imageCheckSumType', paramName2: checksumTypeAlias }),
        });
        draft.broken.add('imageCheckSumType');
        return;
      }
      draft.strings[canonical as StringCustomization] = { field, value: itemValue };
    } else if (key === 'configDriveMetadata') {
      readMetadataString(field, itemValue, draft, errors);
    } else {
      errors.push({
        field,
        error: new ByoiError('BYOI_REQUEST_UNKNOWN_CUSTOMIZATION', { customizationName: printable(key), operatingSystem: byoiOperatingSystem }),
      });
    }
  });
  readHeaderPairs(halves, draft, errors);
}

function canonicalKey(key: string): string {
  if (key === checksumTypeAlias) return 'imageCheckSumType';
  if (headerKey.test(key)) return 'httpHeaders';
  return key;
}

function readHeaderPairs(halves: Map<number, { Key?: HeaderHalf; Value?: HeaderHalf }>, draft: InstallDraft, errors: FieldError[]): void {
  if (halves.size === 0) return;
  const entries: DraftHeader[] = [];
  for (const slot of [...halves.keys()].sort((a, b) => a - b)) {
    const { Key: name, Value: value } = halves.get(slot) ?? {};
    if (name !== undefined && value !== undefined) {
      // A blank row of a form (both halves empty) is not a header.
      if (name.value === '' && value.value === '') continue;
      entries.push({ nameField: name.field, valueField: value.field, name: name.value, value: value.value });
      continue;
    }
    const present = name ?? value;
    const missing = name === undefined ? `httpHeaders${slot}Key` : `httpHeaders${slot}Value`;
    errors.push({
      field: present?.field ?? 'userMetadata',
      error: new ByoiError('BYOI_REQUEST_INVALID_FORMAT', {
        name: name === undefined ? `httpHeaders${slot}Value` : `httpHeaders${slot}Key`,
        type: 'text',
        msg: `it has no matching ${missing}`,
      }),
    });
    draft.broken.add('httpHeaders');
  }
  draft.httpHeaders = { field: 'userMetadata.httpHeaders', entries };
}

function readMetadataString(field: string, text: string, draft: InstallDraft, errors: FieldError[]): void {
  if (text === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const entries: DraftMetadataEntry[] = [];
  if (isJsonObject(parsed)) {
    for (const key of Object.keys(parsed)) {
      const entryValue = parsed[key];
      if (typeof entryValue !== 'string') {
        parsed = undefined;
        break;
      }
      entries.push({ field: `${field}.${key}`, key, value: entryValue });
    }
  }
  if (!isJsonObject(parsed)) {
    errors.push({
      field,
      error: new ByoiError('BYOI_REQUEST_INVALID_FORMAT', {
        name: 'configDriveMetadata',
        type: 'text',
        msg: 'in userMetadata it must be a JSON object of strings, e.g. {"rack":"r12"}',
      }),
    });
    draft.broken.add('configDriveMetadata');
    return;
  }
  draft.metadata = { field, entries };
}
