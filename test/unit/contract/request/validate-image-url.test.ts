import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateImageUrl } from '../../../../src/contract/request/validate-image-url.ts';
import { thrown } from '../_fixtures.ts';

const msg = (value: string) => {
  const error = thrown(() => validateImageUrl(value));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.equal(error.params.name, 'imageURL');
  return error.message;
};

test('validateImageUrl() accepts http and https URLs unchanged', () => {
  for (const url of [
    'https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw',
    'http://10.0.0.5:8080/images/a%20b.qcow2?X-Amz-Signature=abc&x=1#frag',
    'HTTPS://[2001:db8::1]/img.raw',
  ]) {
    assert.equal(validateImageUrl(url), url);
  }
});

test('validateImageUrl() refuses schemes other than http and https', () => {
  assert.match(msg('ftp://example.com/a.raw'), /its scheme is ftp; byoi downloads images over http and https only/);
  assert.match(msg('file:///etc/passwd'), /scheme is file/);
  assert.match(msg('example.com/a.raw'), /not an absolute URL/);
  assert.match(msg('https:example.com/a.raw'), /must start with https:\/\//);
});

test('validateImageUrl() refuses whitespace, control and non-ASCII characters', () => {
  assert.match(msg('https://example.com/a b.raw'), /a space at position 22/);
  assert.match(msg('https://example.com/a.raw\n'), /a control character \(U\+000A\)/);
  assert.match(msg('https://example.com/a\u00a0.raw'), /a Unicode space \(U\+00A0\)/);
  assert.match(msg('https://exämple.com/a.raw'), /a non-ASCII character \(U\+00E4\).*punycode/);
  assert.match(msg('https://example.com\\a.raw'), /backslash/);
});

test('validateImageUrl() refuses user:password@ and points to httpHeaders, without repeating the password', () => {
  const message = msg('https://user:s3cret@example.com/a.raw');
  assert.match(message, /user name or password .* pass them in httpHeaders instead/);
  assert.ok(!message.includes('s3cret'));
  assert.match(msg('https://user@example.com/a.raw'), /httpHeaders/);
});

test('validateImageUrl() refuses a URL without a host or that does not parse', () => {
  assert.match(msg('https:///a.raw'), /it has no host$/);
  assert.match(msg('http://?x=1'), /it has no host$/);
  assert.match(msg('https://example.com:99999/a.raw'), /does not parse/);
});

test('validateImageUrl() refuses a URL longer than 4096 characters', () => {
  const url = `https://example.com/${'a'.repeat(4100)}`;
  assert.match(msg(url), /the limit is 4096/);
  assert.equal(validateImageUrl(`https://example.com/${'a'.repeat(4096 - 20)}`).length, 4096);
});
