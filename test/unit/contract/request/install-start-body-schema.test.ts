import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import { InstallStartBodySchema, type InstallStartBody } from '../../../../src/contract/request/install-start-body-schema.ts';

test('InstallStartBodySchema types and accepts a BYOI install/start body', () => {
  const body: InstallStartBody = {
    templateName: 'byoi_64',
    details: { customHostname: 'myCustomBYOI', diskGroupId: null },
    userMetadata: [
      { key: 'imageURL', value: 'https://e.example/a.raw' },
      { key: 'imageType', value: 'raw' },
    ],
  };
  assert.ok(Value.Check(InstallStartBodySchema, body));
});

test('InstallStartBodySchema refuses other templates, non-string values and details that do not apply', () => {
  const userMetadata = [{ key: 'imageURL', value: 'https://e.example/a.raw' }, { key: 'imageType', value: 'raw' }];
  assert.equal(Value.Check(InstallStartBodySchema, { templateName: 'debian12_64', userMetadata }), false);
  assert.equal(Value.Check(InstallStartBodySchema, { templateName: 'byoi_64', userMetadata: [{ key: 'imageType', value: 1 }] }), false);
  assert.equal(Value.Check(InstallStartBodySchema, { templateName: 'byoi_64', userMetadata, details: { softRaidDevices: 2 } }), false);
});
