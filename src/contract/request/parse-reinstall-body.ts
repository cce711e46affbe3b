import { readInstallRequest } from './_read-install-request.ts';
import type { InstallRequest } from './install-request.ts';

/**
 * Validates a `POST /dedicated/server/{serviceName}/reinstall` body (any JSON value) and returns the
 * normalised install request.
 *
 * @throws ByoiError the first problem, in the order collectInstallRequestErrors() lists them: body shape and
 *   operating system first, then the customizations (image URL, type, checksum, EFI path, headers, hostname,
 *   SSH key, user data, metadata). Nothing else is ever thrown for any JSON input.
 */
export function parseReinstallBody(body: unknown): InstallRequest {
  const { request, errors } = readInstallRequest(body, 'reinstall');
  const first = errors[0];
  if (first !== undefined) throw first.error;
  if (request === null) throw new Error('unreachable: no request and no error');
  return request;
}
