import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateUrls, computeSignature, hostWithoutPort } from '../../../../src/control/auth/ovh-signature.ts';

// python-ovh tests/test_client.py vectors (research/ovh-api.md §2.1).
const keys = { applicationSecret: '9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk', consumerKey: '5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY', timestamp: '1457018875' };
const bytes = (text: string) => new TextEncoder().encode(text);

test('computeSignature() matches python-ovh\'s test vectors', () => {
  assert.equal(computeSignature({ ...keys, method: 'GET', url: 'https://eu.api.ovh.com/1.0/auth', body: bytes('') }), '$1$e9556054b6309771395efa467c22e627407461ad');
  assert.equal(
    computeSignature({ ...keys, method: 'POST', url: 'https://eu.api.ovh.com/1.0/auth', body: bytes('{"a":"b","c":"d"}') }),
    '$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1',
  );
  assert.equal(computeSignature({ ...keys, method: 'GET', url: 'https://eu.api.ovh.com/1.0/call', body: bytes('') }), '$1$7f2db49253edfc41891023fcd1a54cf61db05fbb');
  assert.equal(computeSignature({ ...keys, method: 'GET', url: 'https://eu.api.ovh.com/v1/call', body: bytes('') }), '$1$e6e7906d385eb28adcbfbe6b66c1528a42d741ad');
});

test('computeSignature() signs the body bytes, not a re-encoding of them', () => {
  const escaped = computeSignature({ ...keys, method: 'POST', url: 'u', body: bytes('{"n":"\\u00e9"}') });
  const raw = computeSignature({ ...keys, method: 'POST', url: 'u', body: bytes('{"n":"é"}') });
  assert.notEqual(escaped, raw);
});

test('candidateUrls() lists the node-ovh form and the full form, plus the public URL', () => {
  assert.deepEqual(candidateUrls({ protocol: 'http', host: '127.0.0.1:8080', path: '/1.0/x?a=1' }), [
    'https://127.0.0.1/1.0/x?a=1',
    'http://127.0.0.1:8080/1.0/x?a=1',
  ]);
  assert.deepEqual(candidateUrls({ protocol: 'https', host: 'example.net', path: '/v1/x' }), ['https://example.net/v1/x']);
  assert.ok(candidateUrls({ protocol: 'http', host: '10.0.0.1:80', path: '/1.0/x', publicUrl: 'https://api.example.net:8443' }).includes('https://api.example.net:8443/1.0/x'));
});

test('hostWithoutPort() handles names, IPv4 and bracketed IPv6', () => {
  assert.equal(hostWithoutPort('example.net'), 'example.net');
  assert.equal(hostWithoutPort('127.0.0.1:8443'), '127.0.0.1');
  assert.equal(hostWithoutPort('[::1]:8443'), '[::1]');
  assert.equal(hostWithoutPort('[::1]'), '[::1]');
});
