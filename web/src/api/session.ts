import type { AuthDetails, SessionReply } from './types.ts';
import { ApiError } from './api-error.ts';
import { api, apiBase, readReply, setCsrfToken } from './client.ts';
import { sha1Hex } from './sha1.ts';

/** The three keys of an API credential (docs/API.md §2.1). The secret only signs the session call, then is dropped. */
export interface ApiKeys {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

/** Who is signed in, and the CSRF token of the session. */
export interface Session {
  account: string;
  operator: boolean;
  csrfToken: string;
  expiresAt: string;
}

const storageKey = 'byoi.session';

/**
 * Opens a browser session (docs/API.md §2.4): POST /1.0/byoi/session signed with the keys, as the OVH clients sign
 * (the URL form `<origin><path>`), which sets the HttpOnly cookie; then reads who the credential is.
 */
export async function signIn(keys: ApiKeys): Promise<Session> {
  const serverTime = Number(await (await fetch(`${apiBase}/auth/time`)).text());
  if (!Number.isSafeInteger(serverTime)) throw new Error('The control plane did not answer GET /1.0/auth/time');
  const path = `${apiBase}/byoi/session`;
  let reply: SessionReply | null = null;
  // Two sign-ins in the same second would send the same signature, which the replay guard refuses: sign the
  // retry with the previous second (well inside the clock window).
  for (let attempt = 0; reply === null; attempt++) {
    const timestamp = String(serverTime - attempt);
    const signature = `$1$${sha1Hex([keys.applicationSecret, keys.consumerKey, 'POST', `${location.origin}${path}`, '', timestamp].join('+'))}`;
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'x-ovh-application': keys.applicationKey,
        'x-ovh-consumer': keys.consumerKey,
        'x-ovh-timestamp': timestamp,
        'x-ovh-signature': signature,
      },
    });
    try {
      reply = await readReply<SessionReply>(response);
    } catch (error) {
      if (attempt < 3 && error instanceof ApiError && /already received/.test(error.message)) continue;
      throw error;
    }
  }
  setCsrfToken(reply.csrfToken);
  const details = await api<AuthDetails>('GET', '/auth/details');
  const session: Session = {
    account: details.account,
    operator: details.roles.includes('operator'),
    csrfToken: reply.csrfToken,
    expiresAt: reply.expiresAt,
  };
  localStorage.setItem(storageKey, JSON.stringify(session));
  return session;
}

/**
 * The session kept from an earlier visit, when its cookie still works (the CSRF token is kept in local storage:
 * the cookie itself is HttpOnly).
 */
export async function resumeSession(): Promise<Session | null> {
  const saved = localStorage.getItem(storageKey);
  if (saved === null) return null;
  let session: Session;
  try {
    session = JSON.parse(saved) as Session;
  } catch {
    localStorage.removeItem(storageKey);
    return null;
  }
  if (Date.parse(session.expiresAt) <= Date.now()) {
    forgetSession();
    return null;
  }
  setCsrfToken(session.csrfToken);
  try {
    const details = await api<AuthDetails>('GET', '/auth/details');
    return { ...session, account: details.account, operator: details.roles.includes('operator') };
  } catch {
    forgetSession();
    return null;
  }
}

/** Closes the session: the server clears the cookie. */
export async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/byoi/session');
  } finally {
    forgetSession();
  }
}

/** Forgets the session on this side (after sign-out, or when the API says it is gone). */
export function forgetSession(): void {
  localStorage.removeItem(storageKey);
  setCsrfToken(null);
}

/**
 * Reads pasted keys: the JSON of DATA_DIR/demo-credentials.json (or any object with the three keys), or the
 * "applicationKey: ..." lines `npm start` prints. Returns null when the three are not all there.
 */
export function parsePastedKeys(text: string): ApiKeys | null {
  const found: Partial<Record<keyof ApiKeys, string>> = {};
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['applicationKey', 'applicationSecret', 'consumerKey'] as const) {
      if (typeof value[key] === 'string') found[key] = value[key];
    }
  } catch {
    for (const key of ['applicationKey', 'applicationSecret', 'consumerKey'] as const) {
      const match = new RegExp(`${key}\\s*[:=]\\s*"?([A-Za-z0-9]+)"?`).exec(text);
      if (match?.[1] !== undefined) found[key] = match[1];
    }
  }
  const { applicationKey, applicationSecret, consumerKey } = found;
  if (applicationKey === undefined || applicationSecret === undefined || consumerKey === undefined) return null;
  return { applicationKey: applicationKey.trim(), applicationSecret: applicationSecret.trim(), consumerKey: consumerKey.trim() };
}
