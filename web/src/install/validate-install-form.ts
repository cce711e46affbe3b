import { collectInstallRequestErrors } from '../../../src/contract/request/collect-install-request-errors.ts';
import { validateHttpHeaders } from '../../../src/contract/request/validate-http-headers.ts';
import { isByoiError, type ByoiError } from '../../../src/contract/errors/byoi-error.ts';
import type { ReinstallBody } from '../../../src/contract/request/reinstall-body-schema.ts';
import type { FormField, InstallForm } from './install-form.ts';

/** A problem shown beside a field: the catalogue message, and its solution when the catalogue has one. */
export interface FieldProblem {
  code: string;
  message: string;
  solution: string | undefined;
  /** For header and metadata rows: the row the problem is about. */
  rowId?: number;
}

/** Problems per form field. */
export type FormProblems = Partial<Record<FormField, FieldProblem[]>>;

/**
 * Validates the body the form will send with the contract's own collectInstallRequestErrors(), the function
 * behind the API's answers, so the panel shows the API's messages word for word before anything is sent. Each
 * problem is placed beside the field its body path names.
 */
export function validateInstallForm(form: InstallForm, body: ReinstallBody): FormProblems {
  const problems: FormProblems = {};
  const add = (field: FormField, error: ByoiError, rowId?: number) => {
    const list = problems[field] ?? [];
    list.push({ code: error.code, message: error.message, solution: error.solution, ...(rowId === undefined ? {} : { rowId }) });
    problems[field] = list;
  };

  for (const { field, error } of collectInstallRequestErrors(body)) {
    const [, customization, ...rest] = field.split('.');
    const key = rest.join('.');
    if (field.startsWith('storage')) add('diskGroup', error);
    else if (customization === 'httpHeaders') add('headers', error, key === '' ? undefined : form.headers.find((row) => row.name === key)?.id);
    else if (customization === 'configDriveMetadata') add('metadata', error, key === '' ? undefined : form.metadata.find((row) => row.key === key)?.id);
    else add(fieldOfCustomization(customization), error);
  }

  // A JSON object cannot hold one name twice, so rows with the same name would silently merge: check the rows
  // themselves with the contract's header rule (names are unique ignoring case).
  if (problems.headers === undefined) {
    try {
      validateHttpHeaders(form.headers.filter((row) => row.name !== '' || row.value !== '').map(({ name, value }) => ({ name, value })));
    } catch (error) {
      if (!isByoiError(error)) throw error;
      add('headers', error);
    }
  }
  return problems;
}

function fieldOfCustomization(name: string | undefined): FormField {
  switch (name) {
    case 'imageURL':
      return 'imageUrl';
    case 'imageType':
      return 'imageType';
    case 'imageCheckSum':
      return 'checksum';
    case 'imageCheckSumType':
      return 'checksumType';
    case 'efiBootloaderPath':
      return 'efiBootloaderPath';
    case 'hostname':
      return 'hostname';
    case 'sshKey':
      return 'sshKey';
    case 'configDriveUserData':
      return 'userData';
    default:
      return 'form';
  }
}
