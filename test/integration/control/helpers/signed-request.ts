import { Agent, request } from 'undici';
import { ovhHeaders, type ClientKeys } from './ovh-signer.ts';

/**
 * A signed OVH API call against a running `byoi serve` (its `apiUrl`, e.g. http://127.0.0.1:8080/1.0), signed as
 * the node client signs (https://host/path?query, no port), with the JSON reply parsed (null for an empty body).
 * `ca`: the PEM to trust for an https apiUrl with a private CA (e.g. `byoi serve --dev-tls`'s dev-ca.pem).
 */
export async function signedRequest(
  apiUrl: string,
  keys: ClientKeys,
  method: string,
  path: string,
  body?: unknown,
  options: { ca?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(`${apiUrl}${path}`);
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = ovhHeaders(keys, { method, url: `https://${url.hostname}${url.pathname}${url.search}`, body: text });
  if (text !== '') headers['content-type'] = 'application/json';
  const dispatcher = options.ca === undefined ? undefined : new Agent({ connect: { ca: options.ca } });
  try {
    const response = await request(url, { method: method as 'GET', headers, body: text === '' ? undefined : text, dispatcher });
    const reply = await response.body.text();
    return { status: response.statusCode, body: (reply === '' ? null : JSON.parse(reply)) as Record<string, unknown> };
  } finally {
    await dispatcher?.close();
  }
}
