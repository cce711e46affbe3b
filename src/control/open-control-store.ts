import { mkdirSync } from 'node:fs';
import type { Config } from './config/config-schema.ts';
import { databaseUrlOf } from './config/load-config.ts';
import { loadSecretKey, type SecretKey } from './crypto/load-secret-key.ts';
import { openStore, type Store } from './store/open-store.ts';

/** Opens the configured database with the configured (or data-dir) master key: what `serve` and `admin` share. */
export async function openControlStore(config: Config): Promise<{ store: Store; key: SecretKey }> {
  mkdirSync(config.dataDir, { recursive: true });
  const key = loadSecretKey({ configured: config.secretKey, dataDir: config.dataDir });
  const store = await openStore({ url: databaseUrlOf(config), masterKey: key.key });
  return { store, key };
}
