import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ByoiError } from '../../contract/errors/byoi-error.ts';

export interface SecretKey {
  key: Buffer;
  /** Where it came from, for the start-up log line (never the key itself). */
  source: 'config' | 'file' | 'generated';
  path: string | null;
}

export const secretKeyFileName = 'secret.key';

/**
 * The master key: from the configuration (`secretKey`, base64 of 32 bytes) when given; otherwise from
 * DATA_DIR/secret.key, created with mode 0600 on first start. Losing that file makes the stored secrets
 * unreadable, which is why PostgreSQL deployments should set BYOI_SECRET_KEY (docs/OPERATIONS.md).
 */
export function loadSecretKey(options: { configured: string | undefined; dataDir: string }): SecretKey {
  if (options.configured !== undefined) return { key: decodeKey(options.configured, 'secretKey'), source: 'config', path: null };

  const path = join(options.dataDir, secretKeyFileName);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ByoiError('BYOI_CONFIG_SECRET_KEY', {
        reason: `${path} is readable by other users (mode ${mode.toString(8)}); run chmod 600 ${path}`,
      });
    }
    return { key: decodeKey(readFileSync(path, 'utf8').trim(), path), source: 'file', path };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const key = randomBytes(32);
  // flag 'wx': never overwrite a key another process created in between.
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { key, source: 'generated', path };
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text) {
    throw new ByoiError('BYOI_CONFIG_SECRET_KEY', {
      reason: `${where} must be 32 bytes written in base64 (for example the output of: openssl rand -base64 32)`,
    });
  }
  return key;
}
