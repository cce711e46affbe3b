import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../../../src/control/crypto/secret-box.ts';

test('createSecretBox() round-trips and never repeats a ciphertext', () => {
  const box = createSecretBox(randomBytes(32));
  const a = box.seal('héllo secret', 'tasks.request');
  const b = box.seal('héllo secret', 'tasks.request');
  assert.notEqual(a, b);
  assert.ok(!a.includes('secret'));
  assert.equal(box.open(a, 'tasks.request'), 'héllo secret');
});

test('open() refuses another key, another purpose and altered data with BYOI_CONFIG_SECRET_KEY', () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal('x', 'applications.secret');
  assert.throws(() => createSecretBox(randomBytes(32)).open(sealed, 'applications.secret'), { code: 'BYOI_CONFIG_SECRET_KEY' });
  assert.throws(() => box.open(sealed, 'tasks.request'), { code: 'BYOI_CONFIG_SECRET_KEY' });
  const parts = sealed.split('.');
  parts[3] = Buffer.from('y').toString('base64url');
  assert.throws(() => box.open(parts.join('.'), 'applications.secret'), { code: 'BYOI_CONFIG_SECRET_KEY' });
  assert.throws(() => createSecretBox(randomBytes(16)), { code: 'BYOI_CONFIG_SECRET_KEY' });
});
