import { buildInstallRequest } from './_build-install-request.ts';
import { readInstallStartBody } from './_read-install-start-body.ts';
import { readReinstallBody } from './_read-reinstall-body.ts';
import type { FieldError } from './field-error.ts';
import type { InstallRequest } from './install-request.ts';

/** The two OVH routes whose bodies describe a BYOI install. */
export type InstallBodyForm = 'reinstall' | 'installStart';

/** Reads either body form: the first problem of each field, in order, and the request when there is none. */
export function readInstallRequest(body: unknown, form: InstallBodyForm): { request: InstallRequest | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const draft = form === 'reinstall' ? readReinstallBody(body, errors) : readInstallStartBody(body, errors);
  const request = draft === null ? null : buildInstallRequest(draft, errors);
  // One error per field: a form shows one message beside each input.
  const firstPerField: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (seen.has(error.field)) continue;
    seen.add(error.field);
    firstPerField.push(error);
  }
  return { request: errors.length === 0 ? request : null, errors: firstPerField };
}
