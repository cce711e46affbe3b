import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isPointOnCurve } from '../../../../src/contract/ssh-key/_ec-point.ts';

const curves = [
  { name: 'nistp256', jwk: 'P-256', bytes: 32 },
  { name: 'nistp384', jwk: 'P-384', bytes: 48 },
  { name: 'nistp521', jwk: 'P-521', bytes: 66 },
] as const;

/** node:crypto (OpenSSL) as the oracle: a JWK import validates the point. */
function opensslAccepts(jwk: string, x: Uint8Array, y: Uint8Array): boolean {
  try {
    createPublicKey({ key: { kty: 'EC', crv: jwk, x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') }, format: 'jwk' });
    return true;
  } catch {
    return false;
  }
}

for (const curve of curves) {
  test(`isPointOnCurve() accepts the public points OpenSSL generates on ${curve.name}`, () => {
    for (let i = 0; i < 20; i++) {
      const jwk = generateKeyPairSync('ec', { namedCurve: curve.jwk }).publicKey.export({ format: 'jwk' });
      const x = Buffer.from(jwk.x as string, 'base64url');
      const y = Buffer.from(jwk.y as string, 'base64url');
      assert.equal(x.length, curve.bytes);
      assert.equal(isPointOnCurve(curve.name, x, y), true);
    }
  });

  test(`isPointOnCurve() refuses what OpenSSL refuses on ${curve.name}: changed, random and out-of-field points`, () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: curve.jwk }).publicKey.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x as string, 'base64url');
    const y = Buffer.from(jwk.y as string, 'base64url');
    const candidates: Array<[Uint8Array, Uint8Array]> = [[x, y]];
    for (let i = 0; i < 30; i++) {
      const changed = Buffer.from(y);
      changed[i % curve.bytes] = (changed[i % curve.bytes] as number) ^ (1 + (i % 200));
      candidates.push([x, changed]);
      const random = randomBytes(curve.bytes);
      if (curve.name === 'nistp521') random[0] = (random[0] as number) & 1;
      candidates.push([random, y]);
    }
    candidates.push([Buffer.alloc(curve.bytes, 0xff), y], [Buffer.alloc(curve.bytes), Buffer.alloc(curve.bytes)]);
    for (const [cx, cy] of candidates) {
      assert.equal(isPointOnCurve(curve.name, cx, cy), opensslAccepts(curve.jwk, cx, cy), `${Buffer.from(cx).toString('hex')} ${Buffer.from(cy).toString('hex')}`);
    }
  });
}
