import { test } from 'node:test';
import assert from 'node:assert/strict';
import { macForUrl, parseMac } from '../../../../src/control/boot/parse-mac.ts';

test('parseMac() reads colon, hyphen, Cisco and bare notations in any case', () => {
  for (const text of ['52:54:00:AB:cd:EF', '52-54-00-ab-cd-ef', '5254.00ab.cdef', '525400ABCDEF', ' 52:54:00:ab:cd:ef ']) {
    assert.equal(parseMac(text), '52:54:00:ab:cd:ef', text);
  }
});

test('parseMac() refuses anything else', () => {
  for (const text of [
    '', '52:54:00:ab:cd', '52:54-00:ab:cd:ef', '52:54:00:ab:cd:eg', '${net0/mac}', '52:54:00:ab:cd:ef:00', '5254.00ab.cdef.0000',
    '52.54.00.ab.cd.ef', '5254-00ab-cdef', '5254.00ab.cdeg', '525400abcdeg', '52:54:00:ab:cd:e', '5:254:00:ab:cd:ef', '52 54 00 ab cd ef',
  ]) {
    assert.equal(parseMac(text), undefined, text);
  }
});

test('macForUrl() uses hyphens', () => {
  assert.equal(macForUrl('52:54:00:ab:cd:ef'), '52-54-00-ab-cd-ef');
});
