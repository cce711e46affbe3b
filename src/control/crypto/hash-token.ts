import { hash } from 'node:crypto';

/**
 * The stored form of a bearer secret (consumer key, agent token): SHA-256, hex. The tokens byoi issues carry
 * at least 190 bits of randomness, so a plain hash is enough; a slow password hash would only cost time on
 * every signed request.
 */
export function hashToken(token: string): string {
  // One-shot: on every signed request, and cheaper than createHash()'s object.
  return hash('sha256', token, 'hex');
}
