import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeShortName } from '../../../../../src/deploy/configdrive/fat/make-short-name.ts';

test('makeShortName() follows the basis-name and numeric-tail algorithms', () => {
  const cases: [string, string, boolean][] = [
    ['meta_data.json', 'META_D~1JSO', true],
    ['latest', 'LATEST     ', true],
    ['openstack', 'OPENST~1   ', true],
    ['2012-08-10', '2012-0~1   ', true],
    ['README.TXT', 'README  TXT', false],
    ['user_data', 'USER_D~1   ', true],
    ['a b c.txt', 'ABC~1   TXT', true],
    ['.hidden', 'HIDDEN~1   ', true],
    ['x.tar.gz', 'XTAR~1  GZ ', true],
    ['ünïcödé.txt', '_N_C_D~1TXT', true],
    ['semi;colon+plus.txt', 'SEMI_C~1TXT', true],
    ['Mixed.Cas', 'MIXED   CAS', true],
  ];
  for (const [longName, name11, needsLongName] of cases) {
    assert.deepEqual(makeShortName(longName, new Set()), { name11, needsLongName }, longName);
  }
});

test('makeShortName() keeps names unique in a directory', () => {
  const taken = new Set<string>();
  assert.equal(makeShortName('meta_data.json', taken).name11, 'META_D~1JSO');
  assert.equal(makeShortName('meta_data.jsonl', taken).name11, 'META_D~2JSO');
  assert.equal(makeShortName('LATEST', taken).name11, 'LATEST     ');
  assert.deepEqual(makeShortName('latest.', taken), { name11: 'LATEST~1   ', needsLongName: true });
  for (let i = 3; i <= 10; i++) makeShortName(`meta_data.json${i}`, taken);
  assert.equal(makeShortName('meta_data.json', taken).name11, 'META_~11JSO', 'the tail eats into the basis past ~9');
  assert.equal(taken.size, 13);
});
