import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import { ReinstallBodySchema, type ReinstallBody } from '../../../../src/contract/request/reinstall-body-schema.ts';

test('ReinstallBodySchema types and accepts a BYOI body, and lists the enums for OpenAPI', () => {
  const body: ReinstallBody = {
    operatingSystem: 'byoi_64',
    customizations: { imageURL: 'https://e.example/a.qcow2', imageType: 'qcow2', imageCheckSumType: 'sha256', imageCheckSum: 'ab' },
    storage: [{ diskGroupId: 1 }],
  };
  assert.ok(Value.Check(ReinstallBodySchema, body));
  const json = JSON.parse(JSON.stringify(ReinstallBodySchema));
  assert.deepEqual(json.properties.customizations.properties.imageType.enum, ['qcow2', 'raw']);
  assert.equal(json.properties.customizations.properties.ConfigDriveMetadata.deprecated, true);
});

test('ReinstallBodySchema refuses other systems, unknown customizations and several storage entries', () => {
  const customizations = { imageURL: 'https://e.example/a.raw', imageType: 'raw' };
  assert.equal(Value.Check(ReinstallBodySchema, { operatingSystem: 'debian12_64', customizations }), false);
  assert.equal(Value.Check(ReinstallBodySchema, { operatingSystem: 'byoi_64', customizations: { ...customizations, language: 'fr' } }), false);
  assert.equal(
    Value.Check(ReinstallBodySchema, { operatingSystem: 'byoi_64', customizations, storage: [{ diskGroupId: 1 }, { diskGroupId: 2 }] }),
    false,
  );
});
