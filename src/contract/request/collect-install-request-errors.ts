import { readInstallRequest, type InstallBodyForm } from './_read-install-request.ts';
import type { FieldError } from './field-error.ts';

export type { InstallBodyForm } from './_read-install-request.ts';

/**
 * Lists every problem of an install body, each attached to its field, for forms that show errors beside
 * each input (the web panel, as the user types). At most one error per field; an empty list means
 * parseReinstallBody() / parseInstallStartBody() will succeed, and the first entry is what they throw.
 *
 * @param form `reinstall` (default) for `/reinstall` bodies, `installStart` for `/install/start` bodies
 */
export function collectInstallRequestErrors(body: unknown, form: InstallBodyForm = 'reinstall'): FieldError[] {
  return readInstallRequest(body, form).errors;
}
