import { encodeBase64 } from '../../../src/contract/encoding/decode-strict-base64.ts';
import { byoiOperatingSystem } from '../../../src/contract/request/install-request.ts';
import { redacted } from '../../../src/contract/request/redact-install-request.ts';
import type { ReinstallBody } from '../../../src/contract/request/reinstall-body-schema.ts';
import type { InstallForm } from './install-form.ts';

/**
 * The exact `POST /dedicated/server/{serviceName}/reinstall` body the form stands for. Empty fields are left
 * out; blank header and metadata rows are skipped; the user data goes as base64, as OVH's guide recommends
 * (`cat my-data.yaml | base64 -w0`).
 */
export function buildReinstallBody(form: InstallForm): ReinstallBody {
  const customizations: ReinstallBody['customizations'] = { imageURL: form.imageUrl, imageType: form.imageType };
  if (form.checksum !== '') customizations.imageCheckSum = form.checksum;
  if (form.checksumType !== '') customizations.imageCheckSumType = form.checksumType;
  if (form.efiBootloaderPath !== '') customizations.efiBootloaderPath = form.efiBootloaderPath;
  const headers = form.headers.filter((row) => row.name !== '' || row.value !== '');
  if (headers.length > 0) customizations.httpHeaders = Object.fromEntries(headers.map((row) => [row.name, row.value]));
  if (form.hostname !== '') customizations.hostname = form.hostname;
  if (form.sshKey !== '') customizations.sshKey = form.sshKey;
  const userData = userDataBase64(form);
  if (userData !== null) customizations.configDriveUserData = userData;
  const metadata = form.metadata.filter((row) => row.key !== '' || row.value !== '');
  if (metadata.length > 0) customizations.configDriveMetadata = Object.fromEntries(metadata.map((row) => [row.key, row.value]));
  const body: ReinstallBody = { operatingSystem: byoiOperatingSystem, customizations };
  if (form.diskGroupId !== null) body.storage = [{ diskGroupId: form.diskGroupId }];
  return body;
}

/** The configDriveUserData that will be sent: base64 of the editor's UTF-8 text, or of the binary file. */
export function userDataBase64(form: InstallForm): string | null {
  if (form.userData.mode === 'binary') return form.userData.base64;
  if (form.userData.text === '') return null;
  return encodeBase64(new TextEncoder().encode(form.userData.text));
}

/** The body with its secrets (header values, user data) replaced by the contract's mask, for the preview. */
export function maskReinstallBody(body: ReinstallBody): ReinstallBody {
  const customizations = { ...body.customizations };
  if (customizations.httpHeaders !== undefined && customizations.httpHeaders !== null) {
    customizations.httpHeaders = Object.fromEntries(Object.keys(customizations.httpHeaders).map((name) => [name, redacted]));
  }
  if (typeof customizations.configDriveUserData === 'string') customizations.configDriveUserData = redacted;
  return { ...body, customizations };
}
