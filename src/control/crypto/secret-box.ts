import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ByoiError } from '../../contract/errors/byoi-error.ts';

/** Encrypts secrets at rest (application secrets, install requests, power driver configs). */
export interface SecretBox {
  /** Encrypts `plaintext`; `purpose` is bound as associated data, so a value sealed for one column cannot be opened as another. */
  seal(plaintext: string, purpose: string): string;
  /** Reverses seal(); throws BYOI_CONFIG_SECRET_KEY when the value was sealed with another key or altered. */
  open(sealed: string, purpose: string): string;
}

// Format: "v1." + base64url(12-byte IV) + "." + base64url(16-byte GCM tag) + "." + base64url(ciphertext).
// The version prefix leaves room for key rotation (a "v2" with a key id) without a data migration.
const version = 'v1';

/**
 * AES-256-GCM with a random 96-bit IV per value (NIST SP 800-38D 8.2.2: random IVs are safe far beyond the
 * number of values byoi will ever seal with one key).
 */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new ByoiError('BYOI_CONFIG_SECRET_KEY', { reason: `it is ${key.length} bytes, not 32` });
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(purpose, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [version, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, purpose) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== version) {
        throw new ByoiError('BYOI_CONFIG_SECRET_KEY', { reason: `a stored ${purpose} value has an unknown format` });
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1] as string, 'base64url'));
        decipher.setAAD(Buffer.from(purpose, 'utf8'));
        decipher.setAuthTag(Buffer.from(parts[2] as string, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(parts[3] as string, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new ByoiError(
          'BYOI_CONFIG_SECRET_KEY',
          { reason: `a stored ${purpose} value does not open with this key (another key, or altered data)` },
          { cause: error },
        );
      }
    },
  };
}
