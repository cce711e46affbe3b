import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeIsoIdentifier } from '../../../../../src/deploy/configdrive/iso9660/make-iso-identifier.ts';

test('makeIsoIdentifier() makes level 1 identifiers of d-characters', () => {
  const cases: [string, boolean, string][] = [
    ['meta_data.json', false, 'META_DAT.JSO;1'],
    ['user_data', false, 'USER_DAT.;1'],
    ['openstack', true, 'OPENSTAC'],
    ['2012-08-10', true, '2012_08_'],
    ['x.tar.gz', false, 'X_TAR.GZ;1'],
    ['ünï.txt', false, '_N_.TXT;1'],
    ['.hidden', false, '.HID;1'],
    ['a.b', true, 'A_B'],
  ];
  for (const [name, isDirectory, identifier] of cases) assert.equal(makeIsoIdentifier(name, isDirectory, new Set()), identifier, name);
});

test('makeIsoIdentifier() numbers clashing names in a directory', () => {
  const taken = new Set<string>();
  assert.equal(makeIsoIdentifier('meta_data.json', false, taken), 'META_DAT.JSO;1');
  assert.equal(makeIsoIdentifier('Meta_Data.JSON', false, taken), 'META_DA1.JSO;1');
  assert.equal(makeIsoIdentifier('meta data.jsonl', false, taken), 'META_DA2.JSO;1');
  assert.equal(makeIsoIdentifier('latest', true, taken), 'LATEST');
  assert.equal(makeIsoIdentifier('latest.', false, taken), 'LATEST1.;1', 'a file named like a directory gets a number');
});
