import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCanonicalJson } from '../../../../src/deploy/configdrive/to-canonical-json.ts';

test('toCanonicalJson() sorts keys at every level and ends with a newline', () => {
  assert.equal(toCanonicalJson({ b: 1, a: [true, null] }), '{\n  "a": [\n    true,\n    null\n  ],\n  "b": 1\n}\n');
  assert.equal(toCanonicalJson({ z: { y: 'é', x: {} }, '10': [], '9': 'n' }), '{\n  "10": [],\n  "9": "n",\n  "z": {\n    "x": {},\n    "y": "é"\n  }\n}\n');
});

test('toCanonicalJson() gives the same bytes whatever the insertion order', () => {
  assert.equal(toCanonicalJson({ a: 1, b: { c: 2, d: 3 } }), toCanonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
});

test('toCanonicalJson() refuses values JSON cannot hold', () => {
  assert.throws(() => toCanonicalJson({ a: Number.NaN }), TypeError);
  assert.throws(() => toCanonicalJson({ a: undefined } as never), TypeError);
  assert.throws(() => toCanonicalJson({ a: new Date(0) } as never), TypeError);
});
