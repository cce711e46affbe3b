import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKernelCmdline } from '../../../src/agent/parse-kernel-cmdline.ts';

test('parseKernelCmdline() reads byoi.control and byoi.token among other words', () => {
  assert.deepEqual(parseKernelCmdline('BOOT_IMAGE=vmlinuz initrd=initrd.img byoi.control=https://cp.example:8443 byoi.token=Abc123 console=ttyS0,115200n8\n'), {
    control: 'https://cp.example:8443',
    token: 'Abc123',
  });
});

test('parseKernelCmdline() takes quoted values, the last occurrence, and ignores look-alikes', () => {
  assert.deepEqual(parseKernelCmdline('xbyoi.token=no byoi.token=first byoi.control="http://10.0.0.1:8080" byoi.token=second'), { control: 'http://10.0.0.1:8080', token: 'second' });
  assert.deepEqual(parseKernelCmdline('quiet'), { control: null, token: null });
});
