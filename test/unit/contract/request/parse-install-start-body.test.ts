import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInstallStartBody } from '../../../../src/contract/request/parse-install-start-body.ts';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';
import { ed25519KeyLine, seedUserDataBase64, thrown } from '../_fixtures.ts';

// OVH's BYOI guide (2024-07 edition) example for install/start, with an sshKey added.
function guideBody() {
  return {
    details: { customHostname: 'myCustomBYOI' },
    templateName: 'byoi_64',
    userMetadata: [
      { key: 'imageURL', value: 'https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw' },
      { key: 'imageType', value: 'raw' },
      { key: 'httpHeaders0Key', value: 'Authorization' },
      { key: 'httpHeaders0Value', value: 'Basic bG9naW46cGFzc3dvcmQ=' },
      {
        key: 'imageCheckSum',
        value: '2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa',
      },
      { key: 'imageCheckSumType', value: 'sha512' },
      { key: 'configDriveUserData', value: '#!/bin/bash\necho "Hi, sounds that BYOI is a success!" > /etc/motd\n' },
      { key: 'sshKey', value: ed25519KeyLine() },
    ],
  };
}

test("parseInstallStartBody() reads the guide's install/start example into the same request as /reinstall", () => {
  const request = parseInstallStartBody(guideBody());
  assert.equal(request.hostname, 'myCustomBYOI');
  assert.deepEqual(request.image.httpHeaders, [{ name: 'Authorization', value: 'Basic bG9naW46cGFzc3dvcmQ=' }]);
  assert.equal(request.userData?.kind, 'script');
  const same = parseReinstallBody({
    operatingSystem: 'byoi_64',
    customizations: {
      hostname: 'myCustomBYOI',
      imageURL: request.image.url,
      imageType: 'raw',
      httpHeaders: { Authorization: 'Basic bG9naW46cGFzc3dvcmQ=' },
      imageCheckSum: request.image.checksum?.value,
      imageCheckSumType: 'sha512',
      configDriveUserData: '#!/bin/bash\necho "Hi, sounds that BYOI is a success!" > /etc/motd\n',
      sshKey: ed25519KeyLine(),
    },
  });
  assert.deepEqual(request, same);
});

test('parseInstallStartBody() orders header pairs by index and skips blank rows', () => {
  const body = guideBody();
  body.userMetadata.push(
    { key: 'httpHeaders2Value', value: 'two' },
    { key: 'httpHeaders2Key', value: 'X-Two' },
    { key: 'httpHeaders1Key', value: '' },
    { key: 'httpHeaders1Value', value: '' },
  );
  assert.deepEqual(parseInstallStartBody(body).image.httpHeaders.map((h) => h.name), ['Authorization', 'X-Two']);
});

test('parseInstallStartBody() refuses a header key without its value', () => {
  const body = guideBody();
  body.userMetadata.push({ key: 'httpHeaders3Key', value: 'X-Three' });
  const error = thrown(() => parseInstallStartBody(body));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.equal(error.message, 'Invalid customization format for httpHeaders3Key of type text: it has no matching httpHeaders3Value');
});

test('parseInstallStartBody() accepts imageChecksumType (lower-case s) but not both spellings', () => {
  const body = guideBody();
  const typeEntry = body.userMetadata.find((entry) => entry.key === 'imageCheckSumType');
  if (typeEntry) typeEntry.key = 'imageChecksumType';
  assert.equal(parseInstallStartBody(body).image.checksum?.type, 'sha512');
  body.userMetadata.push({ key: 'imageCheckSumType', value: 'sha512' });
  assert.equal(thrown(() => parseInstallStartBody(body)).code, 'BYOI_REQUEST_INCOMPATIBLE_PARAMS');
});

test('parseInstallStartBody() reads configDriveMetadata as a JSON object of strings', () => {
  const body = guideBody();
  body.userMetadata.push({ key: 'configDriveMetadata', value: '{"rack":"r12","row":"b"}' });
  assert.deepEqual(parseInstallStartBody(body).metadata, { rack: 'r12', row: 'b' });
  body.userMetadata[body.userMetadata.length - 1] = { key: 'configDriveMetadata', value: 'rack=r12' };
  const error = thrown(() => parseInstallStartBody(body));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.match(error.message, /must be a JSON object of strings/);
});

test('parseInstallStartBody() refuses another template, unknown keys and duplicate keys', () => {
  assert.equal(thrown(() => parseInstallStartBody({ ...guideBody(), templateName: 'debian12_64' })).message, 'Operating system debian12_64 could not be found');
  const unknown = guideBody();
  unknown.userMetadata.push({ key: 'imageUrl', value: 'x' });
  assert.equal(thrown(() => parseInstallStartBody(unknown)).message, "Customization imageUrl doesn't exist for operating system byoi_64");
  const twice = guideBody();
  twice.userMetadata.push({ key: 'imageType', value: 'qcow2' });
  assert.equal(thrown(() => parseInstallStartBody(twice)).message, 'Invalid request body: userMetadata holds the key imageType more than once');
});

test('parseInstallStartBody() takes details.diskGroupId and refuses details that do not apply to BYOI', () => {
  assert.equal(parseInstallStartBody({ ...guideBody(), details: { diskGroupId: 2, noRaid: true } }).diskGroupId, 2);
  const error = thrown(() => parseInstallStartBody({ ...guideBody(), details: { softRaidDevices: 2 } }));
  assert.equal(error.code, 'BYOI_REQUEST_NOT_APPLICABLE');
  assert.equal(error.message, 'details.softRaidDevices is not applicable to operating system byoi_64: byoi does not build software RAID');
  assert.doesNotThrow(() => parseInstallStartBody({ ...guideBody(), details: { postInstallationScriptLink: null, language: '' } }));
  assert.equal(thrown(() => parseInstallStartBody({ ...guideBody(), partitionSchemeName: 'custom' })).code, 'BYOI_REQUEST_NOT_APPLICABLE');
});

test('parseInstallStartBody() turns body shape errors into BYOI_REQUEST_BODY', () => {
  const cases: unknown[] = [
    42,
    { userMetadata: [] },
    { templateName: 'byoi_64', userMetadata: {} },
    { templateName: 'byoi_64', userMetadata: [{ key: 'imageURL' }] },
    { templateName: 'byoi_64', userMetadata: [{ key: 'imageURL', value: 1 }] },
    { templateName: 'byoi_64', userMetadata: [{ key: 'imageURL', value: 'x', extra: 1 }] },
    { templateName: 'byoi_64', details: [], userMetadata: [] },
  ];
  for (const body of cases) assert.equal(thrown(() => parseInstallStartBody(body)).code, 'BYOI_REQUEST_BODY', JSON.stringify(body));
});

test('parseInstallStartBody() accepts base64 user data as the reinstall form does', () => {
  const body = guideBody();
  const entry = body.userMetadata.find((item) => item.key === 'configDriveUserData');
  if (entry) entry.value = seedUserDataBase64;
  assert.equal(parseInstallStartBody(body).userData?.kind, 'cloud-config');
});
