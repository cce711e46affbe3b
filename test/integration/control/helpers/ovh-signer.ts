import { createHash } from 'node:crypto';

/** API keys of one client, as the official clients hold them. */
export interface ClientKeys {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

/**
 * Builds the OVH headers for a request the way the official clients do (research/ovh-api.md §2-3): `url` is
 * what gets signed (node-ovh: https://host-without-port/path; go/python: the full URL with port).
 */
export function ovhHeaders(
  keys: ClientKeys,
  input: { method: string; url: string; body: string; timestamp?: number },
): Record<string, string> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const signature =
    '$1$' +
    createHash('sha1')
      .update([keys.applicationSecret, keys.consumerKey, input.method, input.url, input.body, timestamp].join('+'))
      .digest('hex');
  return {
    'x-ovh-application': keys.applicationKey,
    'x-ovh-consumer': keys.consumerKey,
    'x-ovh-timestamp': timestamp,
    'x-ovh-signature': signature,
  };
}
