import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { buildConfigDriveFiles } from '../../../../src/deploy/configdrive/build-config-drive-files.ts';
import type { ConfigDriveInput } from '../../../../src/deploy/configdrive/config-drive-input.ts';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@laptop';

function input(overrides: Partial<ConfigDriveInput> = {}): ConfigDriveInput {
  return {
    uuid: '5f0c6a52-1b7e-4c1e-9f3a-2d8e0b7c4a11',
    hostname: 'web1.example.net',
    publicKeys: [{ name: 'default', key }],
    userData: null,
    meta: { role: 'web', tier: 'front' },
    availabilityZone: 'byoi',
    launchIndex: 0,
    ...overrides,
  };
}

function jsonFile(files: ReturnType<typeof buildConfigDriveFiles>, path: string): Record<string, unknown> {
  const file = files.find((f) => f.path === path);
  assert.ok(file, `${path} is written`);
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file.bytes)) as Record<string, unknown>;
}

test('buildConfigDriveFiles() writes a default drive with meta data and vendor data under both versions', () => {
  const files = buildConfigDriveFiles(input());
  assert.deepEqual(
    files.map((f) => f.path),
    [
      'openstack/2012-08-10/meta_data.json',
      'openstack/2012-08-10/vendor_data.json',
      'openstack/latest/meta_data.json',
      'openstack/latest/vendor_data.json',
    ],
  );
  assert.deepEqual(files[0]?.bytes, files[2]?.bytes, 'both versions carry the same meta_data.json');
  assert.deepEqual(jsonFile(files, 'openstack/latest/vendor_data.json'), {});
});

test('buildConfigDriveFiles() puts the keys cloud-init reads into meta_data.json', () => {
  const metaData = jsonFile(buildConfigDriveFiles(input()), 'openstack/latest/meta_data.json');
  // helpers/openstack.py KEY_COPIES: uuid -> instance-id (required), hostname -> local-hostname.
  assert.equal(metaData.uuid, '5f0c6a52-1b7e-4c1e-9f3a-2d8e0b7c4a11');
  assert.equal(metaData.hostname, 'web1.example.net');
  assert.equal(metaData.name, 'web1.example.net');
  // SourceMixin.get_public_ssh_keys reads public_keys; a dict of name -> key line.
  assert.deepEqual(metaData.public_keys, { default: key });
  assert.deepEqual(metaData.keys, [{ name: 'default', type: 'ssh', data: key }]);
  assert.deepEqual(metaData.meta, { role: 'web', tier: 'front' });
  assert.equal(metaData.availability_zone, 'byoi');
  assert.equal(metaData.launch_index, 0);
  assert.deepEqual(metaData.devices, []);
});

test('buildConfigDriveFiles() writes sorted keys so equal input gives equal bytes', () => {
  const a = buildConfigDriveFiles(input({ meta: { b: '2', a: '1' } }));
  const b = buildConfigDriveFiles(input({ meta: { a: '1', b: '2' } }));
  assert.deepEqual(a, b);
  const text = new TextDecoder().decode(a[0]?.bytes);
  assert.ok(text.indexOf('"availability_zone"') < text.indexOf('"uuid"'));
});

test('buildConfigDriveFiles() omits hostname and name when there is no hostname', () => {
  const metaData = jsonFile(buildConfigDriveFiles(input({ hostname: null })), 'openstack/latest/meta_data.json');
  assert.equal('hostname' in metaData, false);
  assert.equal('name' in metaData, false);
});

test('buildConfigDriveFiles() writes user data byte for byte, binary included', () => {
  const userData = gzipSync(Buffer.from('#cloud-config\npackages: [htop]\n'));
  const files = buildConfigDriveFiles(input({ userData }));
  for (const version of ['2012-08-10', 'latest']) {
    const file = files.find((f) => f.path === `openstack/${version}/user_data`);
    assert.ok(file);
    assert.deepEqual(Buffer.from(file.bytes), userData);
  }
});

test('buildConfigDriveFiles() writes network_data.json only when network data is given', () => {
  assert.equal(buildConfigDriveFiles(input()).some((f) => f.path.endsWith('network_data.json')), false);
  const networkData = { links: [{ id: 'eth0', type: 'phy', ethernet_mac_address: '52:54:00:12:34:56' }], networks: [{ id: 'n0', link: 'eth0', type: 'ipv4_dhcp' }], services: [] };
  const files = buildConfigDriveFiles(input({ networkData }));
  assert.deepEqual(jsonFile(files, 'openstack/2012-08-10/network_data.json'), networkData);
  assert.deepEqual(jsonFile(files, 'openstack/latest/network_data.json'), networkData);
});

test('buildConfigDriveFiles() puts phone home in vendor data as a cloud-config cloud-init can parse', () => {
  const files = buildConfigDriveFiles(input({ phoneHome: { url: 'https://cp.example.net/agent/first-boot/$INSTANCE_ID', token: 'tok+en/1' } }));
  const vendorData = jsonFile(files, 'openstack/latest/vendor_data.json');
  const part = vendorData['cloud-init'];
  assert.equal(typeof part, 'string');
  assert.ok((part as string).startsWith('#cloud-config\n'));
  // cloud-init reads cloud-config with PyYAML (YAML 1.1).
  assert.deepEqual(parse(part as string, { version: '1.1' }), {
    phone_home: { url: 'https://cp.example.net/agent/first-boot/$INSTANCE_ID?token=tok%2Ben%2F1', post: 'all', tries: 10 },
  });
});

test('buildConfigDriveFiles() keeps the caller vendor data part next to phone home', () => {
  const phoneHome = { url: 'https://cp.example.net/first-boot?server=7', token: 't' };
  const withString = jsonFile(buildConfigDriveFiles(input({ vendorData: { 'cloud-init': '#cloud-config\nntp: {enabled: true}\n', other: 1 }, phoneHome })), 'openstack/latest/vendor_data.json');
  const parts = withString['cloud-init'] as string[];
  assert.equal(parts.length, 2);
  assert.equal(parts[0], '#cloud-config\nntp: {enabled: true}\n');
  assert.match(parts[1] as string, /server=7&token=t"/);
  assert.equal(withString.other, 1);
  const withoutPhoneHome = jsonFile(buildConfigDriveFiles(input({ vendorData: { 'cloud-init': 'x' } })), 'openstack/latest/vendor_data.json');
  assert.deepEqual(withoutPhoneHome, { 'cloud-init': 'x' });
});

test('buildConfigDriveFiles() refuses input it cannot write with BYOI_CONFIGDRIVE_FAILED', () => {
  const refusals: Partial<ConfigDriveInput>[] = [
    { uuid: '' },
    { hostname: 'has space' },
    { launchIndex: -1 },
    { publicKeys: [{ name: 'a', key }, { name: 'a', key }] },
    { publicKeys: [{ name: 'a', key: `${key}\nssh-rsa AAAA other` }] },
    { phoneHome: { url: 'ftp://cp.example.net/x', token: 't' } },
    { phoneHome: { url: 'https://cp.example.net/$HOSTNAME', token: 't' } },
    { phoneHome: { url: 'https://cp.example.net/$INSTANCE_ID.json', token: 't' } },
    { phoneHome: { url: 'https://cp.example.net/x', token: '' } },
    { vendorData: { 'cloud-init': { nested: true } }, phoneHome: { url: 'https://cp.example.net/x', token: 't' } },
    { networkData: { mtu: Number.POSITIVE_INFINITY } },
  ];
  for (const overrides of refusals) {
    assert.throws(() => buildConfigDriveFiles(input(overrides)), (error: { code?: string; detail?: string }) => {
      assert.equal(error.code, 'BYOI_CONFIGDRIVE_FAILED', JSON.stringify(overrides));
      assert.ok(error.detail);
      return true;
    });
  }
});
