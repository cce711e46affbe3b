import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGranted } from '../../../../src/control/auth/access-rule.ts';

test('isGranted() matches the method and the path with * spanning slashes', () => {
  const rules = [
    { method: 'GET' as const, path: '/dedicated/server*' },
    { method: 'POST' as const, path: '/dedicated/server/ns1/*' },
  ];
  assert.equal(isGranted(rules, 'GET', '/dedicated/server'), true);
  assert.equal(isGranted(rules, 'GET', '/dedicated/server/ns9/task/1'), true);
  assert.equal(isGranted(rules, 'HEAD', '/dedicated/server'), true);
  assert.equal(isGranted(rules, 'POST', '/dedicated/server/ns1/reinstall'), true);
  assert.equal(isGranted(rules, 'POST', '/dedicated/server/ns2/reinstall'), false);
  assert.equal(isGranted(rules, 'PUT', '/dedicated/server/ns1'), false);
  assert.equal(isGranted(rules, 'GET', '/me'), false);
});

test('isGranted() treats regex characters in paths literally', () => {
  assert.equal(isGranted([{ method: 'GET', path: '/a.b' }], 'GET', '/axb'), false);
  assert.equal(isGranted([{ method: 'GET', path: '/a.b' }], 'GET', '/a.b'), true);
  assert.equal(isGranted([{ method: 'GET', path: '/' }], 'GET', '/x'), false);
  assert.equal(isGranted([{ method: 'GET', path: '/*' }], 'GET', '/x\n/y'), true);
});
