import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  validateHttpHeaderName,
  validateHttpHeaders,
  validateHttpHeaderValue,
} from '../../../../src/contract/request/validate-http-headers.ts';
import { thrown } from '../_fixtures.ts';

test('validateHttpHeaders() accepts token names and ordinary values, keeping order', () => {
  const headers = [
    { name: 'Authorization', value: 'Basic bG9naW46cGFzc3dvcmQ=' },
    { name: 'X-Auth-Token', value: 'abc\tdef' },
    { name: "x!#$%&'*+-.^_`|~1", value: '' },
  ];
  assert.deepEqual(validateHttpHeaders(headers), headers);
});

test('validateHttpHeaderName() refuses names that are not RFC 9110 tokens', () => {
  for (const name of ['', 'Bad Name', 'Bad:Name', 'Tête', 'a\nb']) {
    const error = thrown(() => validateHttpHeaderName(name));
    assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT', JSON.stringify(name));
    assert.equal(error.params.name, 'httpHeaders');
  }
});

test('validateHttpHeaderName() refuses framing, hop-by-hop and range headers with the reason, in any case', () => {
  const reasons: Array<[string, RegExp]> = [
    ['Host', /taken from imageURL/],
    ['content-length', /framing headers would break it/],
    ['Transfer-Encoding', /framing headers/],
    ['Connection', /hop-by-hop/],
    ['TE', /hop-by-hop/],
    ['Upgrade', /hop-by-hop/],
    ['Range', /sets Range itself/],
    ['If-Range', /sets Range itself/],
    ['If-None-Match', /304 or 412/],
    ['Accept-Encoding', /as stored/],
    ['Expect', /without a body/],
  ];
  for (const [name, reason] of reasons) {
    const message = thrown(() => validateHttpHeaderName(name)).message;
    assert.match(message, new RegExp(`the ${name} header cannot be set`));
    assert.match(message, reason);
  }
});

test('validateHttpHeaderValue() refuses CR, LF and NUL without repeating the value', () => {
  for (const value of ['secret\r\nX-Injected: 1', 'secret\nX: 1', 'sec\0ret']) {
    const error = thrown(() => validateHttpHeaderValue('Authorization', value));
    assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
    assert.match(error.message, /the value of the Authorization header holds a line break or a NUL character/);
    assert.ok(!error.message.includes('secret'));
  }
  assert.match(thrown(() => validateHttpHeaderValue('X', 'emoji 😀')).message, /cannot carry/);
  assert.match(thrown(() => validateHttpHeaderValue('X', 'a\u0007b')).message, /cannot carry/);
});

test('validateHttpHeaders() refuses a name given twice ignoring case', () => {
  const error = thrown(() => validateHttpHeaders([{ name: 'Authorization', value: 'a' }, { name: 'authorization', value: 'b' }]));
  assert.match(error.message, /the authorization header is given twice/);
});

test('validateHttpHeaders() enforces the count and size limits', () => {
  const many = Array.from({ length: 33 }, (_, i) => ({ name: `X-H${i}`, value: 'v' }));
  assert.match(thrown(() => validateHttpHeaders(many)).message, /there are 33 headers; the limit is 32/);
  assert.match(thrown(() => validateHttpHeaderValue('X', 'v'.repeat(8193))).message, /longer than 8192 characters/);
  assert.match(thrown(() => validateHttpHeaderName('X'.repeat(257))).message, /longer than 256 characters/);
  const big = Array.from({ length: 3 }, (_, i) => ({ name: `X-${i}`, value: 'v'.repeat(6000) }));
  assert.match(thrown(() => validateHttpHeaders(big)).message, /the limit is 16384/);
});
