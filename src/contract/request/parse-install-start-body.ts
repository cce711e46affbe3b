import { readInstallRequest } from './_read-install-request.ts';
import type { InstallRequest } from './install-request.ts';

/**
 * Validates a `POST /dedicated/server/{serviceName}/install/start` body (`templateName: "byoi_64"`,
 * `details`, `userMetadata: [{key, value}]`) and returns the same normalised request as parseReinstallBody().
 *
 * @throws ByoiError the first problem, in the order collectInstallRequestErrors() lists them
 */
export function parseInstallStartBody(body: unknown): InstallRequest {
  const { request, errors } = readInstallRequest(body, 'installStart');
  const first = errors[0];
  if (first !== undefined) throw first.error;
  if (request === null) throw new Error('unreachable: no request and no error');
  return request;
}
