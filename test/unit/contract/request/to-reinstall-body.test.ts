import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseInstallStartBody } from '../../../../src/contract/request/parse-install-start-body.ts';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';
import { toReinstallBody } from '../../../../src/contract/request/to-reinstall-body.ts';
import { ed25519KeyLine, seedBody } from '../_fixtures.ts';
import { installStartBodyArb, reinstallBodyArb } from './_arbitraries.ts';

test('toReinstallBody() gives back the seed example (valid key) with normalised values', () => {
  const body = seedBody();
  body.customizations.sshKey = ed25519KeyLine('my-nuclear-power-plant');
  const back = toReinstallBody(parseReinstallBody(body));
  assert.deepEqual(back, body);
});

test('toReinstallBody() is the inverse of parseReinstallBody()', () => {
  fc.assert(
    fc.property(reinstallBodyArb, (body) => {
      const request = parseReinstallBody(body);
      assert.deepEqual(parseReinstallBody(toReinstallBody(request)), request);
    }),
    { numRuns: 200 },
  );
});

test('toReinstallBody() turns an install/start request into the equivalent reinstall body', () => {
  fc.assert(
    fc.property(installStartBodyArb, (body) => {
      const request = parseInstallStartBody(body);
      assert.deepEqual(parseReinstallBody(toReinstallBody(request)), request);
    }),
    { numRuns: 100 },
  );
});

test('toReinstallBody() writes normalised forms: lower-case checksum, single backslashes, storage only when chosen', () => {
  const request = parseReinstallBody({
    operatingSystem: 'byoi_64',
    customizations: {
      imageURL: 'https://e.example/a.raw',
      imageType: 'raw',
      imageCheckSum: 'ABCDEF0123456789ABCDEF0123456789',
      imageCheckSumType: 'md5',
      efiBootloaderPath: '/EFI/BOOT/BOOTX64.EFI',
    },
    storage: [{ diskGroupId: 0 }],
  });
  assert.deepEqual(toReinstallBody(request), {
    operatingSystem: 'byoi_64',
    customizations: {
      imageURL: 'https://e.example/a.raw',
      imageType: 'raw',
      imageCheckSum: 'abcdef0123456789abcdef0123456789',
      imageCheckSumType: 'md5',
      efiBootloaderPath: '\\EFI\\BOOT\\BOOTX64.EFI',
    },
  });
});
