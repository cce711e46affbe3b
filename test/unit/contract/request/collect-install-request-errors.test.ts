import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectInstallRequestErrors } from '../../../../src/contract/request/collect-install-request-errors.ts';
import { minimalBody, seedBody } from '../_fixtures.ts';

test('collectInstallRequestErrors() lists every field error of a body, each once', () => {
  const body = {
    operatingSystem: 'byoi_64',
    customizations: {
      imageURL: 'https://user:pw@example.com/a.raw',
      imageType: 'vmdk',
      imageCheckSum: 'abc',
      hostname: 'bad_host',
      sshKey: 'ssh-rsa AAAA',
      configDriveUserData: 'hello there',
      httpHeaders: { Host: 'x', 'X-Ok': 'fine', 'Bad Name': 'v' },
      configDriveMetadata: { dsmode: 'disabled' },
      language: 'fr-fr',
    },
    storage: [{ diskGroupId: -2 }],
  };
  const errors = collectInstallRequestErrors(body).map(({ field, error }) => [field, error.code]);
  assert.deepEqual(errors, [
    ['customizations.language', 'BYOI_REQUEST_UNKNOWN_CUSTOMIZATION'],
    ['storage[0].diskGroupId', 'BYOI_REQUEST_BODY'],
    ['customizations.imageURL', 'BYOI_REQUEST_INVALID_FORMAT'],
    ['customizations.imageType', 'BYOI_REQUEST_IMAGE_TYPE'],
    ['customizations.imageCheckSumType', 'BYOI_REQUEST_CHECKSUM_PAIR'],
    ['customizations.httpHeaders.Host', 'BYOI_REQUEST_INVALID_FORMAT'],
    ['customizations.httpHeaders.Bad Name', 'BYOI_REQUEST_INVALID_FORMAT'],
    ['customizations.hostname', 'BYOI_REQUEST_HOSTNAME_FORMAT'],
    ['customizations.sshKey', 'BYOI_REQUEST_INVALID_FORMAT'],
    ['customizations.configDriveUserData', 'BYOI_REQUEST_INVALID_FORMAT'],
    ['customizations.configDriveMetadata.dsmode', 'BYOI_REQUEST_INVALID_FORMAT'],
  ]);
});

test('collectInstallRequestErrors() returns nothing for a valid body and one error for the seed example', () => {
  assert.deepEqual(collectInstallRequestErrors(minimalBody()), []);
  assert.deepEqual(
    collectInstallRequestErrors(seedBody()).map(({ field }) => field),
    ['customizations.sshKey'],
  );
});

test('collectInstallRequestErrors() does not report a missing customization whose value had the wrong type', () => {
  const errors = collectInstallRequestErrors({ operatingSystem: 'byoi_64', customizations: { imageURL: 1, imageType: 'raw' } });
  assert.deepEqual(errors.map(({ field, error }) => [field, error.code]), [['customizations.imageURL', 'BYOI_REQUEST_BODY']]);
});

test('collectInstallRequestErrors() attaches install/start errors to userMetadata and details fields', () => {
  const errors = collectInstallRequestErrors(
    {
      templateName: 'byoi_64',
      details: { customHostname: '9lives' },
      userMetadata: [{ key: 'imageType', value: 'raw' }, { key: 'httpHeaders0Key', value: 'Range' }, { key: 'httpHeaders0Value', value: 'bytes=0-' }],
    },
    'installStart',
  );
  assert.deepEqual(errors.map(({ field }) => field), ['userMetadata.imageURL', 'userMetadata.httpHeaders0Key', 'details.customHostname']);
});
