import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobToDeployOptions } from '../../../src/agent/job-to-deploy-options.ts';
import type { AgentJob } from '../../../src/contract/agent/agent-protocol.ts';

const job: AgentJob = {
  protocol: 1,
  taskId: 7,
  serverName: 'ns1.test',
  bootMode: 'uefi',
  disk: { diskGroupId: 1, sizeBytes: 10, path: '/tmp/disk.img' },
  diskGroups: [],
  image: { url: 'https://images.example/x.qcow2', type: 'qcow2', checksum: { type: 'sha256', value: 'ab'.repeat(32) }, httpHeaders: [{ name: 'Authorization', value: 'Basic x' }] },
  efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
  configDrive: {
    hostname: 'web1',
    sshKeys: ['ssh-ed25519 AAAA test'],
    userData: Buffer.from('#cloud-config\n').toString('base64'),
    metadata: { role: 'web' },
    instanceUuid: '6279f1a2-0b7e-4c1e-9a51-2e6d8b0c5a01',
    phoneHome: { url: 'http://cp/agent/v1/first-boot', token: 't0k3n' },
  },
  heartbeatSeconds: 10,
  leaseSeconds: 40,
};

test('jobToDeployOptions() passes the image, checksum, headers, boot facts and the whole config drive', () => {
  const options = jobToDeployOptions(job, '/dev/sda', { ca: 'PEM' });
  assert.equal(options.image, 'https://images.example/x.qcow2');
  assert.equal(options.imageType, 'qcow2');
  assert.equal(options.disk, '/dev/sda');
  assert.deepEqual(options.checksum, { type: 'sha256', value: 'ab'.repeat(32) });
  assert.deepEqual(options.httpHeaders, [{ name: 'Authorization', value: 'Basic x' }]);
  assert.equal(options.extraCaPem, 'PEM');
  assert.deepEqual([options.bootMode, options.efiBootloaderPath], ['uefi', '\\efi\\debian\\grubx64.efi']);
  assert.deepEqual(Buffer.from(options.configDrive?.userData as Uint8Array).toString(), '#cloud-config\n');
  assert.deepEqual(options.configDrive?.phoneHome, { url: 'http://cp/agent/v1/first-boot', token: 't0k3n' });
  assert.equal(options.configDrive?.instanceUuid, job.configDrive.instanceUuid);
  assert.equal(jobToDeployOptions({ ...job, configDrive: { ...job.configDrive, userData: null, phoneHome: null } }, '/dev/sda').configDrive?.phoneHome, undefined);
});
