import { generateKeyPairSync } from 'node:crypto';

/**
 * A fresh OpenSSH `ssh-rsa` public key line (RFC 4253 6.6: string "ssh-rsa", mpint e, mpint n). The seed's
 * example key is 1024-bit, which byoi's contract refuses, so tests substitute one of these.
 */
export function sshRsaPublicKey(bits = 2048, comment = 'byoi-test'): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const parts = [Buffer.from('ssh-rsa'), mpint(Buffer.from(jwk.e, 'base64url')), mpint(Buffer.from(jwk.n, 'base64url'))];
  const blob = Buffer.concat(parts.map((part) => Buffer.concat([u32(part.length), part])));
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

function mpint(magnitude: Buffer): Buffer {
  // A leading 1 bit would read as negative: prefix a zero byte.
  return (magnitude[0] as number) & 0x80 ? Buffer.concat([Buffer.alloc(1), magnitude]) : magnitude;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}
