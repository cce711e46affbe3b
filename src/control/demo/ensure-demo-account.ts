import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/open-store.ts';
import { createAccount, findAccountByName, type Account } from '../store/accounts-repo.ts';
import { createApplication } from '../store/applications-repo.ts';
import { createCredential } from '../store/credentials-repo.ts';
import { validateCredential } from '../auth/credential-admin.ts';

export const demoAccountName = 'demo';
export const demoCredentialsFileName = 'demo-credentials.json';

/** The demo keys, as written to DATA_DIR/demo-credentials.json (mode 0600). */
export interface DemoCredentials {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  apiUrl: string;
}

/**
 * On first start, creates the demo account with an application and a validated credential for every call
 * (GET/POST/PUT/DELETE /*), writes the keys to DATA_DIR/demo-credentials.json and returns them so the
 * caller prints them once. On later starts it only refreshes the file's apiUrl (the port may change) and
 * returns null: the secret is not kept anywhere else in clear.
 */
export async function ensureDemoAccount(
  store: Store,
  options: { dataDir: string; apiUrl: string },
): Promise<{ account: Account; credentials: DemoCredentials } | null> {
  const path = join(options.dataDir, demoCredentialsFileName);
  if ((await findAccountByName(store, demoAccountName)) !== undefined) {
    if (existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as DemoCredentials;
      if (saved.apiUrl !== options.apiUrl) writeFileSync(path, `${JSON.stringify({ ...saved, apiUrl: options.apiUrl }, null, 2)}\n`, { mode: 0o600 });
    }
    return null;
  }
  const account = await createAccount(store, { name: demoAccountName, operator: false });
  const { application, applicationSecret } = await createApplication(store, {
    accountId: account.id,
    name: 'demo',
    description: 'Created on first start for trying byoi',
  });
  const { credential, consumerKey } = await createCredential(store, {
    applicationId: application.id,
    rules: ['GET', 'POST', 'PUT', 'DELETE'].map((method) => ({ method: method as 'GET', path: '/*' })),
    redirection: null,
  });
  await validateCredential(store, { reference: String(credential.id), accountName: account.name });
  const credentials: DemoCredentials = {
    applicationKey: application.applicationKey,
    applicationSecret,
    consumerKey,
    apiUrl: options.apiUrl,
  };
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { account, credentials };
}
