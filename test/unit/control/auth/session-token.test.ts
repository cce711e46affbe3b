import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSessionToken, csrfTokenFor, verifySessionToken } from '../../../../src/control/auth/session-token.ts';

test('verifySessionToken() accepts its own tokens until they expire', () => {
  const key = randomBytes(32);
  const token = createSessionToken(key, { credentialId: 7, expiresAt: 2000 });
  assert.deepEqual(verifySessionToken(key, token, 1999), { credentialId: 7, expiresAt: 2000 });
  assert.equal(verifySessionToken(key, token, 2000), null);
});

test('verifySessionToken() refuses another key, an altered payload and garbage', () => {
  const key = randomBytes(32);
  const token = createSessionToken(key, { credentialId: 7, expiresAt: 2000 });
  assert.equal(verifySessionToken(randomBytes(32), token, 0), null);
  const [payload, mac] = token.split('.') as [string, string];
  const altered = Buffer.from(JSON.stringify({ c: 8, e: 2000, n: 'x' })).toString('base64url');
  assert.equal(verifySessionToken(key, `${altered}.${mac}`, 0), null);
  assert.equal(verifySessionToken(key, `${payload}.`, 0), null);
  assert.equal(verifySessionToken(key, 'nonsense', 0), null);
  assert.notEqual(csrfTokenFor(key, token), mac);
});
