import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie that carries a browser session (EventSource cannot send signature headers). */
export const sessionCookieName = 'byoi_session';
/** Header a cookie-authenticated non-GET request must carry (double-submit CSRF defence). */
export const csrfHeaderName = 'x-byoi-csrf';

export interface SessionClaims {
  credentialId: number;
  /** Unix seconds. */
  expiresAt: number;
}

/**
 * A stateless session token: base64url(JSON claims) + "." + base64url(HMAC-SHA256(sessionKey, claims)).
 * Nothing is stored: a session dies at its expiry, or earlier with its credential (refused or expired),
 * because every use re-reads the credential.
 */
export function createSessionToken(sessionKey: Uint8Array, claims: SessionClaims): string {
  const payload = Buffer.from(JSON.stringify({ c: claims.credentialId, e: claims.expiresAt, n: randomBytes(9).toString('base64url') })).toString('base64url');
  return `${payload}.${mac(sessionKey, payload)}`;
}

/** The claims of a genuine, unexpired token, else null. */
export function verifySessionToken(sessionKey: Uint8Array, token: string, nowSeconds: number): SessionClaims | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 512) return null;
  const payload = token.slice(0, dot);
  const expected = Buffer.from(mac(sessionKey, payload));
  const given = Buffer.from(token.slice(dot + 1));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { c, e } = parsed as { c?: unknown; e?: unknown };
  if (typeof c !== 'number' || typeof e !== 'number' || e <= nowSeconds) return null;
  return { credentialId: c, expiresAt: e };
}

/** The CSRF token that goes with a session token (returned by the login call, sent back in X-Byoi-Csrf). */
export function csrfTokenFor(sessionKey: Uint8Array, sessionToken: string): string {
  return mac(sessionKey, `csrf:${sessionToken}`);
}

function mac(key: Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}
