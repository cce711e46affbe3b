import { randomInt } from 'node:crypto';

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random string of `length` characters from [A-Za-z0-9], the alphabet of OVH's keys (application keys are
 * 16 characters, application secrets and consumer keys 32). 32 characters carry about 190 bits.
 */
export function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphanumeric[randomInt(alphanumeric.length)];
  return out;
}
