import { createHash, hash, timingSafeEqual } from 'node:crypto';

/**
 * OVH's request signature: "$1$" + hex(SHA-1(AS + "+" + CK + "+" + METHOD + "+" + URL + "+" + BODY + "+" + TS)),
 * over the exact body bytes (research/ovh-api.md §2.1; checked against python-ovh's test vectors).
 */
export function computeSignature(input: {
  applicationSecret: string;
  consumerKey: string;
  method: string;
  url: string;
  body: Uint8Array;
  timestamp: string;
}): string {
  const head = `${input.applicationSecret}+${input.consumerKey}+${input.method}+${input.url}+`;
  // Bodyless requests (GETs, polled) hash in one shot, without createHash()'s object.
  if (input.body.length === 0) return `$1$${hash('sha1', `${head}+${input.timestamp}`, 'hex')}`;
  const digest = createHash('sha1');
  digest.update(head, 'utf8');
  digest.update(input.body);
  digest.update(`+${input.timestamp}`, 'utf8');
  return `$1$${digest.digest('hex')}`;
}

/**
 * The URLs a legitimate client may have signed for this request. The official Node client signs
 * `https://<host without port><path>` whatever the scheme and port (research §3 step 4); go-ovh and python-ovh
 * sign `<scheme>://<host with port><path>` from their endpoint setting; behind a reverse proxy, clients sign
 * the public URL. `path` is the raw request target (path and query, as sent).
 */
export function candidateUrls(input: { protocol: string; host: string; path: string; publicUrl?: string | undefined }): string[] {
  const urls = new Set<string>();
  urls.add(`https://${hostWithoutPort(input.host)}${input.path}`);
  urls.add(`${input.protocol}://${input.host}${input.path}`);
  if (input.publicUrl !== undefined) {
    urls.add(`${input.publicUrl}${input.path}`);
    urls.add(`https://${hostWithoutPort(new URL(input.publicUrl).host)}${input.path}`);
  }
  return [...urls];
}

/** Compares signatures in constant time (they are public-length hex strings, so only content can leak). */
export function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** "127.0.0.1:8443" → "127.0.0.1", "[::1]:8443" → "[::1]", "example.net" → "example.net". */
export function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
