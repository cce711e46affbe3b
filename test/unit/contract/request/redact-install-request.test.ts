import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installRequestSecretPaths } from '../../../../src/contract/request/install-request.ts';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';
import { redactInstallRequest, redacted } from '../../../../src/contract/request/redact-install-request.ts';
import { ed25519KeyLine, seedBody } from '../_fixtures.ts';

test('redactInstallRequest() masks header values, user data and the URL query, keeping what helps debugging', () => {
  const body = seedBody();
  body.customizations.sshKey = ed25519KeyLine('my-nuclear-power-plant');
  body.customizations.imageURL = 'https://bucket.example/a.raw?X-Amz-Signature=topsecret#part';
  const request = parseReinstallBody(body);
  const preview = redactInstallRequest(request);
  const text = JSON.stringify(preview);
  for (const secret of ['bG9naW46cGFzc3dvcmQ', 'topsecret', 'patient0', 'I2Nsb3Vk']) {
    assert.ok(!text.includes(secret), `${secret} leaked`);
  }
  assert.deepEqual(preview.image.httpHeaders, [{ name: 'Authorization', value: redacted }]);
  assert.equal(preview.image.url, `https://bucket.example/a.raw?${redacted}#part`);
  assert.deepEqual(preview.userData, { kind: 'cloud-config', sizeBytes: 394, encoding: 'base64', gzip: false });
  assert.equal(preview.sshKey?.fingerprint, request.sshKey?.fingerprint);
  assert.equal(preview.hostname, 'mon-tux');
  assert.equal(request.image.httpHeaders[0]?.value, 'Basic bG9naW46cGFzc3dvcmQ=', 'the request itself is not modified');
});

test('installRequestSecretPaths names fields that exist in a request', () => {
  const body = seedBody();
  body.customizations.sshKey = ed25519KeyLine();
  const request = parseReinstallBody(body) as unknown as Record<string, unknown>;
  for (const path of installRequestSecretPaths) {
    let value: unknown = request;
    for (const key of path.split('.')) {
      const name = key.replace('[*]', '');
      value = (value as Record<string, unknown>)[name];
      if (key.endsWith('[*]')) value = (value as unknown[])[0];
    }
    assert.notEqual(value, undefined, path);
  }
});
