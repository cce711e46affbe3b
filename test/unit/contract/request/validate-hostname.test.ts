import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateHostname } from '../../../../src/contract/request/validate-hostname.ts';
import { thrown } from '../_fixtures.ts';

const formatMessage = (label: string) =>
  `Invalid hostname ${label}; must contain no more than 63 characters, start with a letter, end with a letter or a digit and contain only letters, digits and hyphens, see RFC 1035, section 2.3.1`;

test('validateHostname() accepts RFC 1035 names, fully qualified ones too', () => {
  for (const name of ['mon-tux', 'a', 'Web01', 'node-1.rack-2.example.com', `${'a'.repeat(63)}.example`]) {
    assert.equal(validateHostname(name), name);
  }
});

test('validateHostname() refuses a label longer than 63 characters', () => {
  const label = 'a'.repeat(64);
  const error = thrown(() => validateHostname(`${label}.example.com`));
  assert.equal(error.code, 'BYOI_REQUEST_HOSTNAME_FORMAT');
  assert.equal(error.message, formatMessage(label));
});

test('validateHostname() refuses labels that start with a digit or hyphen, end with a hyphen, or hold other characters', () => {
  for (const [name, label] of [
    ['1host', '1host'],
    ['-host', '-host'],
    ['host-', 'host-'],
    ['web.2nd.example', '2nd'],
    ['my_host', 'my_host'],
    ['hôte', 'hôte'],
  ]) {
    const error = thrown(() => validateHostname(name as string));
    assert.equal(error.code, 'BYOI_REQUEST_HOSTNAME_FORMAT', name);
    assert.equal(error.message, formatMessage(label as string));
  }
});

test('validateHostname() names the whole hostname when a label is empty', () => {
  assert.equal(thrown(() => validateHostname('a..b')).message, formatMessage('a..b'));
  assert.equal(thrown(() => validateHostname('host.example.')).message, formatMessage('host.example.'));
});

test('validateHostname() refuses a name longer than 253 characters', () => {
  const name = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.'); // 255 characters
  const error = thrown(() => validateHostname(name));
  assert.equal(error.code, 'BYOI_REQUEST_HOSTNAME_SIZE');
  assert.equal(error.message, 'Hostname provided is 255 length. It shall not be longer than 253 characters, see RFC 1035, section 2.3.4');
  assert.doesNotThrow(() => validateHostname(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`));
});
