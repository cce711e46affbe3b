import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';
import { ed25519KeyLine, minimalBody, seedBody, seedUserDataText, thrown } from '../_fixtures.ts';

test("parseReinstallBody() refuses the seed example because of its 1024-bit RSA key", () => {
  const error = thrown(() => parseReinstallBody(seedBody()));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.equal(error.params.name, 'sshKey');
  assert.match(error.message, /this ssh-rsa key is 1024 bits; byoi requires at least 2048 bits/);
});

test('parseReinstallBody() reads the seed example with a valid key substituted', () => {
  const body = seedBody();
  const key = ed25519KeyLine('my-nuclear-power-plant');
  body.customizations.sshKey = key;
  const request = parseReinstallBody(body);
  assert.equal(request.operatingSystem, 'byoi_64');
  assert.deepEqual(request.image, {
    url: 'https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw',
    type: 'raw',
    checksum: {
      type: 'sha512',
      value:
        '2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa',
    },
    httpHeaders: [{ name: 'Authorization', value: 'Basic bG9naW46cGFzc3dvcmQ=' }],
  });
  assert.equal(request.efiBootloaderPath, '\\efi\\debian\\grubx64.efi');
  assert.equal(request.hostname, 'mon-tux');
  assert.equal(request.sshKey?.authorizedKey, key);
  assert.equal(request.sshKey?.comment, 'my-nuclear-power-plant');
  assert.equal(new TextDecoder().decode(request.userData?.bytes), seedUserDataText);
  assert.equal(request.userData?.kind, 'cloud-config');
  assert.deepEqual(request.metadata, {});
  assert.equal(request.diskGroupId, null);
});

test('parseReinstallBody() reads a minimal body, with efiBootloaderPath left for byoi to detect', () => {
  const request = parseReinstallBody(minimalBody());
  assert.equal(request.efiBootloaderPath, null);
  assert.equal(request.image.checksum, null);
  assert.deepEqual(request.image.httpHeaders, []);
  assert.equal(request.userData, null);
  assert.equal(request.sshKey, null);
  assert.equal(request.hostname, null);
});

test('parseReinstallBody() treats null and empty optional customizations as not given', () => {
  const body = minimalBody();
  Object.assign(body.customizations, { hostname: '', sshKey: null, configDriveUserData: '', efiBootloaderPath: null, httpHeaders: null });
  const request = parseReinstallBody(body);
  assert.equal(request.hostname, null);
  assert.equal(request.sshKey, null);
  assert.equal(request.userData, null);
});

test('parseReinstallBody() refuses an operating system other than byoi_64', () => {
  const body = { ...minimalBody(), operatingSystem: 'debian12_64' };
  const error = thrown(() => parseReinstallBody(body));
  assert.equal(error.code, 'BYOI_REQUEST_OPERATING_SYSTEM');
  assert.equal(error.message, 'Operating system debian12_64 could not be found');
});

test('parseReinstallBody() refuses a missing imageURL or imageType', () => {
  const noUrl = minimalBody();
  delete noUrl.customizations.imageURL;
  const error = thrown(() => parseReinstallBody(noUrl));
  assert.equal(error.code, 'BYOI_REQUEST_MISSING_CUSTOMIZATION');
  assert.equal(error.message, 'Customization imageURL is mandatory for operating system byoi_64');

  const noType = minimalBody();
  noType.customizations.imageType = '';
  assert.equal(thrown(() => parseReinstallBody(noType)).message, 'Customization imageType is mandatory for operating system byoi_64');
  assert.equal(thrown(() => parseReinstallBody({ operatingSystem: 'byoi_64' })).code, 'BYOI_REQUEST_MISSING_CUSTOMIZATION');
});

test('parseReinstallBody() refuses an unknown customization', () => {
  const body = minimalBody();
  body.customizations.language = 'fr-fr';
  const error = thrown(() => parseReinstallBody(body));
  assert.equal(error.code, 'BYOI_REQUEST_UNKNOWN_CUSTOMIZATION');
  assert.equal(error.message, "Customization language doesn't exist for operating system byoi_64");
});

test('parseReinstallBody() reads ConfigDriveMetadata (capital C) as configDriveMetadata, but not both', () => {
  const body = minimalBody();
  body.customizations.ConfigDriveMetadata = { rack: 'r12' };
  assert.deepEqual(parseReinstallBody(body).metadata, { rack: 'r12' });
  body.customizations.configDriveMetadata = { rack: 'r13' };
  const error = thrown(() => parseReinstallBody(body));
  assert.equal(error.code, 'BYOI_REQUEST_INCOMPATIBLE_PARAMS');
  assert.equal(error.message, 'Incompatible configDriveMetadata and ConfigDriveMetadata parameters');
});

test('parseReinstallBody() takes one storage entry and its diskGroupId, 0 meaning automatic', () => {
  const body = { ...minimalBody(), storage: [{ diskGroupId: 2 }] };
  assert.equal(parseReinstallBody(body).diskGroupId, 2);
  assert.equal(parseReinstallBody({ ...minimalBody(), storage: [{ diskGroupId: 0 }] }).diskGroupId, null);
  assert.equal(parseReinstallBody({ ...minimalBody(), storage: [] }).diskGroupId, null);
  assert.equal(parseReinstallBody({ ...minimalBody(), storage: [{ diskGroupId: 1, hardwareRaid: [], erase: false }] }).diskGroupId, 1);
});

test('parseReinstallBody() refuses several storage entries like OVH', () => {
  const error = thrown(() => parseReinstallBody({ ...minimalBody(), storage: [{ diskGroupId: 1 }, { diskGroupId: 2 }] }));
  assert.equal(error.code, 'BYOI_REQUEST_DISK_GROUP_MULTIPLE');
  assert.equal(error.message, 'Multiple (2) disk groups customization not implemented');
});

test('parseReinstallBody() refuses hardwareRaid, partitioning and erase: true as not applicable', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ hardwareRaid: [{ raidLevel: 1 }] }, 'storage[0].hardwareRaid'],
    [{ partitioning: { layout: [] } }, 'storage[0].partitioning'],
    [{ erase: true }, 'storage[0].erase'],
  ];
  for (const [entry, name] of cases) {
    const error = thrown(() => parseReinstallBody({ ...minimalBody(), storage: [entry] }));
    assert.equal(error.code, 'BYOI_REQUEST_NOT_APPLICABLE', name);
    assert.match(error.message, new RegExp(`^${name.replace(/[[\].]/g, '\\$&')} is not applicable to operating system byoi_64: `));
  }
});

test('parseReinstallBody() refuses a negative diskGroupId', () => {
  const error = thrown(() => parseReinstallBody({ ...minimalBody(), storage: [{ diskGroupId: -1 }] }));
  assert.equal(error.code, 'BYOI_REQUEST_BODY');
  assert.equal(error.message, 'Invalid request body: storage[0].diskGroupId must be a non-negative integer');
});

test('parseReinstallBody() refuses properties, which BYOI does not use', () => {
  const error = thrown(() => parseReinstallBody({ ...minimalBody(), properties: { foo: 'bar' } }));
  assert.equal(error.code, 'BYOI_REQUEST_PROPERTY_NAME');
  assert.equal(error.message, 'foo is not a valid property name');
  assert.doesNotThrow(() => parseReinstallBody({ ...minimalBody(), properties: {} }));
});

test('parseReinstallBody() turns body shape errors into BYOI_REQUEST_BODY', () => {
  const cases: Array<[unknown, string]> = [
    [null, 'Invalid request body: the body must be a JSON object'],
    [[], 'Invalid request body: the body must be a JSON object'],
    ['byoi_64', 'Invalid request body: the body must be a JSON object'],
    [{ customizations: {} }, 'Invalid request body: operatingSystem is missing'],
    [{ operatingSystem: 64 }, 'Invalid request body: operatingSystem must be a string'],
    [{ operatingSystem: 'byoi_64', customizations: 'x' }, 'Invalid request body: customizations must be an object'],
    [{ ...minimalBody(), customizations: { ...minimalBody().customizations, imageURL: 5 } }, 'Invalid request body: customizations.imageURL must be a string'],
    [{ ...minimalBody(), customizations: { ...minimalBody().customizations, httpHeaders: ['a'] } }, 'Invalid request body: customizations.httpHeaders must be an object of header names to values'],
    [{ ...minimalBody(), customizations: { ...minimalBody().customizations, httpHeaders: { A: 1 } } }, 'Invalid request body: the value of the A header must be a string'],
    [{ ...minimalBody(), storage: {} }, 'Invalid request body: storage must be an array'],
    [{ ...minimalBody(), extra: 1 }, 'Invalid request body: extra is not a property of the reinstall body (it takes operatingSystem, customizations, storage, properties)'],
  ];
  for (const [body, message] of cases) {
    const error = thrown(() => parseReinstallBody(body));
    assert.equal(error.code, 'BYOI_REQUEST_BODY', JSON.stringify(body));
    assert.equal(error.message, message);
  }
});

test('parseReinstallBody() ignores inherited names: "__proto__" and "constructor" are ordinary keys', () => {
  const body = JSON.parse(
    '{"operatingSystem":"byoi_64","customizations":{"imageURL":"https://e.example/a.raw","imageType":"raw","configDriveMetadata":{"__proto__":"x","constructor":"y"}}}',
  );
  assert.deepEqual(Object.entries(parseReinstallBody(body).metadata), [['__proto__', 'x'], ['constructor', 'y']]);
  const error = thrown(() => parseReinstallBody(JSON.parse('{"operatingSystem":"byoi_64","customizations":{"imageURL":"https://e.example/a.raw","imageType":"raw","__proto__":{}}}')));
  assert.equal(error.code, 'BYOI_REQUEST_UNKNOWN_CUSTOMIZATION');
});

test('parseReinstallBody() throws the first problem in field order', () => {
  const body = minimalBody();
  Object.assign(body.customizations, { imageURL: 'ftp://x', hostname: '-bad', imageType: 'vmdk' });
  assert.equal(thrown(() => parseReinstallBody(body)).params.name, 'imageURL');
});
