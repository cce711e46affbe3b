import { useMemo } from 'react';
import { parseSshKey, type SshPublicKey } from '../../../src/contract/ssh-key/parse-ssh-key.ts';
import { parseUserData, type UserData } from '../../../src/contract/user-data/parse-user-data.ts';
import type { ReinstallBody } from '../../../src/contract/request/reinstall-body-schema.ts';
import { buildReinstallBody, userDataBase64 } from './build-reinstall-body.ts';
import type { InstallForm } from './install-form.ts';
import { validateInstallForm, type FormProblems } from './validate-install-form.ts';

/** The form as the API will see it: the body, its problems, and the parsed SSH key and user data when valid. */
export interface InstallValidation {
  body: ReinstallBody;
  problems: FormProblems;
  /** True when the API would accept the body (nothing left to fix). */
  valid: boolean;
  sshKey: SshPublicKey | null;
  userData: UserData | null;
  userDataBase64: string | null;
}

/** Validates the form on every change with the contract's functions (the same ones the API runs). */
export function useInstallValidation(form: InstallForm): InstallValidation {
  return useMemo(() => {
    const body = buildReinstallBody(form);
    const problems = validateInstallForm(form, body);
    const valid = Object.values(problems).every((list) => list === undefined || list.length === 0);
    const base64 = userDataBase64(form);
    return {
      body,
      problems,
      valid,
      sshKey: form.sshKey !== '' && problems.sshKey === undefined ? attempt(() => parseSshKey(form.sshKey)) : null,
      userData: base64 !== null && problems.userData === undefined ? attempt(() => parseUserData(base64)) : null,
      userDataBase64: base64,
    };
  }, [form]);
}

function attempt<T>(run: () => T): T | null {
  try {
    return run();
  } catch {
    return null;
  }
}
