import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printable } from '../../../../src/contract/request/printable.ts';

test('printable() replaces control characters and cuts long values without splitting a surrogate pair', () => {
  assert.equal(printable('a\nb\u0000c\u2028'), 'a?b?c?');
  assert.equal(printable('x'.repeat(70)), `${'x'.repeat(64)}…`);
  assert.equal(printable('😀'.repeat(5), 3), '😀😀😀…');
  assert.equal(printable('short'), 'short');
});
