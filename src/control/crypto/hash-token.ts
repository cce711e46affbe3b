import { createHash } from 'node:crypto';

/**
 * The stored form of a bearer secret (consumer key, agent token): SHA-256, hex. The tokens byoi issues carry
 * at least 190 bits of randomness, so a plain hash is enough; a slow password hash would only cost time on
 * every signed request.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
