import { ByoiError } from '../errors/byoi-error.ts';
import {
  attempt,
  bodyError,
  emptyDraft,
  isJsonObject,
  notApplicable,
  own,
  type InstallDraft,
  type StringCustomization,
} from './_install-draft.ts';
import type { FieldError } from './field-error.ts';
import { byoiOperatingSystem } from './install-request.ts';
import { printable } from './printable.ts';
import { validateDiskGroupId } from './validate-disk-group-id.ts';

const topKeys = ['operatingSystem', 'customizations', 'storage', 'properties'];
const storageKeys = ['diskGroupId', 'hardwareRaid', 'partitioning', 'erase'];
const stringKeys: readonly StringCustomization[] = [
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'efiBootloaderPath',
  'hostname',
  'sshKey',
  'configDriveUserData',
];
// ovh/terraform-provider-ovh resource_dedicated_server_gen.go sends "ConfigDriveMetadata" (capital C).
const metadataKeys = ['configDriveMetadata', 'ConfigDriveMetadata'];

/**
 * Reads a `POST /dedicated/server/{serviceName}/reinstall` body into a draft, recording shape problems
 * (wrong JSON types, unknown properties and customizations, another operating system, storage options BYOI
 * cannot honour). Returns null when the body is not even an object.
 */
export function readReinstallBody(body: unknown, errors: FieldError[]): InstallDraft | null {
  if (!isJsonObject(body)) {
    bodyError(errors, '', 'the body must be a JSON object');
    return null;
  }
  const draft = emptyDraft({
    imageURL: 'customizations.imageURL',
    imageType: 'customizations.imageType',
    imageCheckSum: 'customizations.imageCheckSum',
    imageCheckSumType: 'customizations.imageCheckSumType',
    efiBootloaderPath: 'customizations.efiBootloaderPath',
    hostname: 'customizations.hostname',
    sshKey: 'customizations.sshKey',
    configDriveUserData: 'customizations.configDriveUserData',
  });

  readOperatingSystem(own(body, 'operatingSystem'), errors);
  for (const key of Object.keys(body)) {
    if (!topKeys.includes(key)) {
      bodyError(errors, key, `${printable(key)} is not a property of the reinstall body (it takes ${topKeys.join(', ')})`);
    }
  }
  readCustomizations(own(body, 'customizations'), draft, errors);
  readStorage(own(body, 'storage'), draft, errors);
  readProperties(own(body, 'properties'), errors);
  return draft;
}

function readOperatingSystem(value: unknown, errors: FieldError[]): void {
  if (value === undefined || value === null) {
    bodyError(errors, 'operatingSystem', 'operatingSystem is missing');
  } else if (typeof value !== 'string') {
    bodyError(errors, 'operatingSystem', 'operatingSystem must be a string');
  } else if (value !== byoiOperatingSystem) {
    errors.push({
      field: 'operatingSystem',
      error: new ByoiError('BYOI_REQUEST_OPERATING_SYSTEM', { operatingSystem: printable(value) }),
    });
  }
}

function readCustomizations(value: unknown, draft: InstallDraft, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (!isJsonObject(value)) {
    bodyError(errors, 'customizations', 'customizations must be an object');
    for (const key of [...stringKeys, 'httpHeaders', 'configDriveMetadata']) draft.broken.add(key);
    return;
  }
  for (const key of Object.keys(value)) {
    const field = `customizations.${key}`;
    const item = value[key];
    if ((stringKeys as readonly string[]).includes(key)) {
      const name = key as StringCustomization;
      if (item === null) continue;
      if (typeof item === 'string') {
        draft.strings[name] = { field, value: item };
      } else {
        bodyError(errors, field, `${field} must be a string`);
        draft.broken.add(name);
      }
    } else if (key === 'httpHeaders') {
      readHeaders(item, draft, errors);
    } else if (metadataKeys.includes(key)) {
      readMetadata(key, item, draft, errors);
    } else {
      errors.push({
        field,
        error: new ByoiError('BYOI_REQUEST_UNKNOWN_CUSTOMIZATION', {
          customizationName: printable(key),
          operatingSystem: byoiOperatingSystem,
        }),
      });
    }
  }
}

function readHeaders(value: unknown, draft: InstallDraft, errors: FieldError[]): void {
  if (value === null) return;
  if (!isJsonObject(value)) {
    bodyError(errors, 'customizations.httpHeaders', 'customizations.httpHeaders must be an object of header names to values');
    draft.broken.add('httpHeaders');
    return;
  }
  const entries = [];
  for (const name of Object.keys(value)) {
    const field = `customizations.httpHeaders.${name}`;
    const headerValue = value[name];
    if (typeof headerValue !== 'string') {
      bodyError(errors, field, `the value of the ${printable(name)} header must be a string`);
      draft.broken.add('httpHeaders');
      continue;
    }
    entries.push({ nameField: field, valueField: field, name, value: headerValue });
  }
  draft.httpHeaders = { field: 'customizations.httpHeaders', entries };
}

function readMetadata(key: string, value: unknown, draft: InstallDraft, errors: FieldError[]): void {
  const field = `customizations.${key}`;
  if (value === null) return;
  if (draft.metadata !== null || draft.broken.has('configDriveMetadata')) {
    errors.push({
      field,
      error: new ByoiError('BYOI_REQUEST_INCOMPATIBLE_PARAMS', {
        paramName1: 'configDriveMetadata',
        paramName2: 'ConfigDriveMetadata',
      }),
    });
    draft.broken.add('configDriveMetadata');
    return;
  }
  if (!isJsonObject(value)) {
    bodyError(errors, field, `${field} must be an object of strings`);
    draft.broken.add('configDriveMetadata');
    return;
  }
  const entries = [];
  for (const entryKey of Object.keys(value)) {
    const entryValue = value[entryKey];
    if (typeof entryValue !== 'string') {
      bodyError(errors, `${field}.${entryKey}`, `the value of ${field}.${printable(entryKey)} must be a string`);
      draft.broken.add('configDriveMetadata');
      continue;
    }
    entries.push({ field: `${field}.${entryKey}`, key: entryKey, value: entryValue });
  }
  draft.metadata = { field, entries };
}

function readStorage(value: unknown, draft: InstallDraft, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    bodyError(errors, 'storage', 'storage must be an array');
    return;
  }
  if (value.length > 1) {
    errors.push({ field: 'storage', error: new ByoiError('BYOI_REQUEST_DISK_GROUP_MULTIPLE', { diskgroupsNumber: value.length }) });
    return;
  }
  if (value.length === 0) return;
  const field = 'storage[0]';
  const entry: unknown = value[0];
  if (!isJsonObject(entry)) {
    bodyError(errors, field, `${field} must be an object`);
    return;
  }
  for (const key of Object.keys(entry)) {
    if (!storageKeys.includes(key)) {
      bodyError(errors, `${field}.${key}`, `${printable(key)} is not a storage property (BYOI takes diskGroupId)`);
    }
  }
  draft.diskGroupId =
    attempt(errors, `${field}.diskGroupId`, () => validateDiskGroupId(own(entry, 'diskGroupId'), `${field}.diskGroupId`)) ?? null;

  const hardwareRaid = own(entry, 'hardwareRaid');
  if (hardwareRaid !== undefined && hardwareRaid !== null && !(Array.isArray(hardwareRaid) && hardwareRaid.length === 0)) {
    notApplicable(errors, `${field}.hardwareRaid`, 'byoi does not configure hardware RAID: build the array beforehand, and the image goes to the first disk the disk group presents');
  }
  const partitioning = own(entry, 'partitioning');
  if (partitioning !== undefined && partitioning !== null) {
    notApplicable(errors, `${field}.partitioning`, 'the image brings its own partition table, so BYOI does not partition disks');
  }
  const erase = own(entry, 'erase');
  if (erase === true) {
    notApplicable(errors, `${field}.erase`, 'byoi writes only the disk group it installs on and does not erase the others');
  } else if (erase !== undefined && erase !== null && erase !== false) {
    bodyError(errors, `${field}.erase`, `${field}.erase must be a boolean`);
  }
}

function readProperties(value: unknown, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (!isJsonObject(value)) {
    bodyError(errors, 'properties', 'properties must be an object');
    return;
  }
  // OVH's schema says "passed to cloud-init's config drive datasource"; Terraform's docs say it has no
  // effect. byoi takes none rather than ignore them silently: configDriveMetadata is the supported way.
  for (const key of Object.keys(value)) {
    errors.push({ field: `properties.${key}`, error: new ByoiError('BYOI_REQUEST_PROPERTY_NAME', { propertyName: printable(key) }) });
  }
}
