import { ApiError } from './api-error.ts';

/** Where the OVH-compatible API is: the same origin as the panel. */
export const apiBase = '/1.0';

let csrfToken: string | null = null;
let onSessionLost: (() => void) | null = null;

/** The CSRF token of the session (sent as X-Byoi-Csrf on calls other than GET), or null when signed out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called once when a call answers 401: the session expired or was closed elsewhere. */
export function setSessionLostHandler(handler: (() => void) | null): void {
  onSessionLost = handler;
}

/**
 * One API call with the session cookie. Bodies are JSON. A refusal throws ApiError with the API's class and
 * message; a 401 also tells the app the session is gone.
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-byoi-csrf'] = csrfToken;
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return readReply<T>(response);
}

/** Reads a reply: the JSON value, or ApiError. */
export async function readReply<T>(response: Response): Promise<T> {
  const text = await response.text();
  let data: unknown = null;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (response.ok) return data as T;
  const reply = (typeof data === 'object' && data !== null ? data : {}) as { class?: unknown; message?: unknown };
  const error = new ApiError(
    response.status,
    typeof reply.class === 'string' ? reply.class : `HTTP ${response.status}`,
    typeof reply.message === 'string' ? reply.message : `The control plane answered HTTP ${response.status}`,
  );
  if (response.status === 401) onSessionLost?.();
  throw error;
}

/** encodeURIComponent for a path segment (service names are plain, but never trust that). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
