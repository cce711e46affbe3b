import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkFailure, statusFailure } from '../../../../src/deploy/source/_http-failure.ts';
import { createRedactor } from '../../../../src/deploy/source/redactor.ts';

const context = {
  host: 'images.example:443',
  hostname: 'images.example',
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  redactor: createRedactor(['Bearer t0ps3cret']),
};

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('HTTP failures', () => {
  it('networkFailure() gives DNS, reset, refusal and timeouts a readable, retryable reason', () => {
    const cases: Array<[Error, string]> = [
      [systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND images.example'), 'host images.example not found (DNS)'],
      [systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN images.example'), 'temporary DNS failure for host images.example'],
      [systemError('ECONNRESET', 'read ECONNRESET'), 'connection reset by images.example:443'],
      [systemError('ECONNREFUSED', 'connect ECONNREFUSED'), 'connection refused by images.example:443'],
      [systemError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), 'connection to images.example:443 timed out after 10 s'],
      [systemError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'), 'no response from images.example:443 within 30 s'],
      [systemError('ENETUNREACH', 'connect ENETUNREACH'), 'images.example:443 is unreachable (ENETUNREACH)'],
      [systemError('EPROTO', 'wrong version number'), 'TLS connection to images.example:443 failed: wrong version number'],
    ];
    for (const [error, reason] of cases) {
      const failure = networkFailure(error, context);
      assert.equal(failure.message, `Could not download image: ${reason}`);
      assert.equal(failure.code, 'BYOI_DOWNLOAD_FAILED');
      assert.equal(failure.retryable, true, reason);
    }
  });

  it('networkFailure() does not retry a rejected certificate and keeps OpenSSL\'s words', () => {
    const expired = networkFailure(systemError('CERT_HAS_EXPIRED', 'certificate has expired'), context);
    assert.equal(expired.message, 'Could not download image: TLS certificate of images.example:443 rejected: certificate has expired');
    assert.equal(expired.retryable, false);
    const unknown = networkFailure(new Error('wrapped', { cause: systemError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate') }), context);
    assert.equal(unknown.message, 'Could not download image: TLS certificate of images.example:443 rejected: unable to verify the first certificate');
  });

  it('networkFailure() names the byte where a body was cut and redacts secrets', () => {
    const cut = networkFailure(systemError('UND_ERR_SOCKET', 'other side closed'), context, 1048576);
    assert.equal(cut.message, 'Could not download image: the connection to images.example:443 closed unexpectedly at byte 1048576');
    const echoed = networkFailure(systemError('EWEIRD', 'server echoed Bearer t0ps3cret'), context);
    assert.equal(echoed.message, 'Could not download image: server echoed [redacted]');
    assert.equal(echoed.detail?.includes('t0ps3cret'), false);
    assert.equal(networkFailure(new TypeError('bug'), context).retryable, false);
  });

  it('statusFailure() retries only 408, 429 and 5xx, with Retry-After', () => {
    assert.deepEqual(
      [401, 403, 404, 410, 418, 408, 429, 500, 503].map((status) => statusFailure(status, {}, 'GET', 'u').retryable),
      [false, false, false, false, false, true, true, true, true],
    );
    const tooMany = statusFailure(429, { 'retry-after': '7' }, 'GET', 'https://images.example/x');
    assert.equal(tooMany.message, 'Could not download image: HTTP 429 Too Many Requests');
    assert.equal(tooMany.retryAfterMs, 7000);
    assert.equal(statusFailure(410, {}, 'GET', 'u').message, 'Could not download image: HTTP 410 Gone');
  });
});
