import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bodyFraming,
  parseContentRange,
  retryAfterMs,
  unsatisfiedRangeTotal,
  validatorChanged,
} from '../../../../src/deploy/source/_http-headers.ts';
import { displayUrl } from '../../../../src/deploy/source/display-url.ts';
import { ifRangeValidator } from '../../../../src/deploy/source/image-source.ts';
import { createRedactor } from '../../../../src/deploy/source/redactor.ts';

describe('HTTP header helpers', () => {
  it('parseContentRange() reads bytes start-end/total and refuses anything else', () => {
    assert.deepEqual(parseContentRange('bytes 0-0/4194304'), { start: 0, end: 0, total: 4194304 });
    assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199, total: null });
    assert.equal(parseContentRange('bytes 10-5/100'), null);
    assert.equal(parseContentRange('bytes 0-100/100'), null);
    assert.equal(parseContentRange('items 0-1/2'), null);
    assert.equal(parseContentRange(null), null);
    assert.equal(unsatisfiedRangeTotal('bytes */0'), 0);
  });

  it('retryAfterMs() reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('Mon, 01 Jan 2024 00:00:00 GMT');
    assert.equal(retryAfterMs({ 'retry-after': '120' }, now), 120_000);
    assert.equal(retryAfterMs({ 'retry-after': 'Mon, 01 Jan 2024 00:00:30 GMT' }, now), 30_000);
    assert.equal(retryAfterMs({ 'retry-after': 'Sun, 31 Dec 2023 00:00:00 GMT' }, now), 0);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }, now), null);
    assert.equal(retryAfterMs({}, now), null);
  });

  it('bodyFraming() prefers chunked over Content-Length and falls back to close', () => {
    assert.equal(bodyFraming({ 'transfer-encoding': 'chunked', 'content-length': '10' }), 'chunked');
    assert.equal(bodyFraming({ 'content-length': '10' }), 'length');
    assert.equal(bodyFraming({}), 'close');
  });

  it('validatorChanged() compares only the kind of validator that was sent', () => {
    assert.equal(validatorChanged({ etag: '"a"' }, '"a"'), false);
    assert.equal(validatorChanged({ etag: '"b"' }, '"a"'), true);
    assert.equal(validatorChanged({}, '"a"'), false);
    assert.equal(validatorChanged({ etag: '"b"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }, 'Mon, 01 Jan 2024 00:00:00 GMT'), false);
  });

  it('ifRangeValidator() never sends a weak ETag', () => {
    assert.equal(ifRangeValidator({ etag: '"x"', lastModified: 'date' }), '"x"');
    assert.equal(ifRangeValidator({ etag: 'W/"x"', lastModified: 'date' }), 'date');
    assert.equal(ifRangeValidator({ etag: 'W/"x"', lastModified: null }), null);
  });

  it('displayUrl() drops userinfo, query string and fragment', () => {
    assert.equal(displayUrl('https://u:p@s3.example:8443/b/img.qcow2?X-Amz-Signature=abc#x'), 'https://s3.example:8443/b/img.qcow2');
  });

  it('createRedactor() replaces every known secret, the longest first', () => {
    const redactor = createRedactor(['Bearer abcdef', 'abcdef', 'x']);
    redactor.add('sig=123456');
    assert.equal(redactor.redact('got Bearer abcdef and abcdef, sig=123456, x'), 'got [redacted] and [redacted], [redacted], x');
  });
});
