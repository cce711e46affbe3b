import { hkdfSync } from 'node:crypto';

/** A 32-byte sub-key of the master key for one use (RFC 5869 HKDF-SHA256), so no key serves two purposes. */
export function deriveKey(masterKey: Uint8Array, purpose: 'encryption' | 'session' | 'check'): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `byoi ${purpose}`, 32));
}
