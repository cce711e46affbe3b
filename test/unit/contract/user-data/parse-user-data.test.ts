import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseUserData } from '../../../../src/contract/user-data/parse-user-data.ts';
import { seedUserDataBase64, seedUserDataText, thrown } from '../_fixtures.ts';

const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');
const decoded = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("parseUserData() decodes the seed example's base64 to the clear text the guide shows", () => {
  const userData = parseUserData(seedUserDataBase64);
  assert.equal(decoded(userData.bytes), seedUserDataText);
  assert.equal(userData.kind, 'cloud-config');
  assert.equal(userData.encoding, 'base64');
  assert.equal(userData.gzip, false);
});

test('parseUserData() keeps clear text byte for byte', () => {
  const userData = parseUserData(seedUserDataText);
  assert.deepEqual(Buffer.from(userData.bytes), Buffer.from(seedUserDataText, 'utf8'));
  assert.equal(userData.encoding, 'text');
  const script = parseUserData('#!/bin/bash\necho "Hi, sounds that BYOI is a success!" > /etc/motd\n');
  assert.equal(script.kind, 'script');
});

test('parseUserData() accepts base64 wrapped at 76 columns, as base64 without -w0 prints it', () => {
  const wrapped = (b64(seedUserDataText).match(/.{1,76}/g) ?? []).join('\n');
  assert.equal(decoded(parseUserData(wrapped).bytes), seedUserDataText);
});

test('parseUserData() keeps base64 of gzip data compressed and validates the inside', () => {
  const compressed = gzipSync(seedUserDataText);
  const userData = parseUserData(b64(compressed));
  assert.equal(userData.gzip, true);
  assert.equal(userData.kind, 'cloud-config');
  assert.deepEqual(Buffer.from(userData.bytes), compressed);

  const bad = thrown(() => parseUserData(b64(gzipSync('#cloud-config\n- a\n'))));
  assert.equal(bad.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.match(bad.message, /after gunzip the top level of a #cloud-config document must be a mapping/);
});

test('parseUserData() refuses gzip data that expands beyond the limit', () => {
  const bomb = gzipSync(Buffer.concat([Buffer.from('#!/bin/sh\n'), Buffer.alloc(2 * 1024 * 1024, 0x20)]));
  const error = thrown(() => parseUserData(b64(bomb)));
  assert.equal(error.code, 'BYOI_REQUEST_SIZE_EXCEEDED');
  assert.equal(error.message, 'Customization is more than 1048576 big, which is exceeding limit of 1048576');
});

test('parseUserData() refuses user data larger than 256 KiB, in clear text or base64', () => {
  const big = `#!/bin/sh\n${'#'.repeat(256 * 1024)}\n`;
  const clear = thrown(() => parseUserData(big));
  assert.equal(clear.code, 'BYOI_REQUEST_SIZE_EXCEEDED');
  assert.equal(clear.message, `Customization is ${Buffer.byteLength(big)} big, which is exceeding limit of 262144`);
  assert.equal(thrown(() => parseUserData(b64(big))).code, 'BYOI_REQUEST_SIZE_EXCEEDED');
  assert.doesNotThrow(() => parseUserData(`#!/bin/sh\n${'#'.repeat(256 * 1024 - 11)}\n`));
});

test('parseUserData() reports the line and column of a YAML error', () => {
  const error = thrown(() => parseUserData('#cloud-config\nusers:\n  - name: x\n   bad: 1\n'));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.match(
    error.message,
    /^Invalid customization format for configDriveUserData of type text: the #cloud-config document is not valid YAML: line 4, column 1: Sequence item without - indicator$/,
  );
  const viaBase64 = thrown(() => parseUserData(b64('#cloud-config\nfoo: [1, 2\nbar: 3\n')));
  assert.match(viaBase64.message, /it is base64, and once decoded the #cloud-config document is not valid YAML: line \d+, column \d+/);
});

test('parseUserData() refuses a cloud-config whose top level is not a mapping, or is empty', () => {
  assert.match(thrown(() => parseUserData('#cloud-config\n- a\n- b\n')).message, /must be a mapping \(key: value lines\), not a list/);
  assert.match(thrown(() => parseUserData('#cloud-config\njust text\n')).message, /not a single value/);
  assert.match(thrown(() => parseUserData('#cloud-config\n')).message, /document is empty/);
});

test('parseUserData() refuses duplicate keys, unknown tags and several documents in a cloud-config', () => {
  assert.match(thrown(() => parseUserData('#cloud-config\na: 1\na: 2\n')).message, /line 3, column 1: a key appears twice/);
  assert.match(thrown(() => parseUserData('#cloud-config\na: !python/object x\n')).message, /Unresolved tag/);
  assert.match(thrown(() => parseUserData('#cloud-config\na: 1\n---\nb: 2\n')).message, /more than one YAML document/);
});

test('parseUserData() accepts the other cloud-init formats', () => {
  const cases: Array<[string, string]> = [
    ['#include\nhttps://example.com/config.yaml\n', 'include'],
    ['#include-once\nhttps://example.com/config.yaml\n', 'include-once'],
    ['#cloud-boothook\n#!/bin/sh\necho boot\n', 'cloud-boothook'],
    ['#part-handler\ndef list_types():\n    return []\n', 'part-handler'],
    ['#cloud-config-archive\n- type: text/cloud-config\n  content: "a: 1"\n', 'cloud-config-archive'],
    ['#cloud-config-jsonp\n[{"op": "add", "path": "/a", "value": 1}]\n', 'cloud-config-jsonp'],
    ['## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostname }}\n', 'jinja-template'],
    [
      'Content-Type: multipart/mixed; boundary="==B=="\nMIME-Version: 1.0\n\n--==B==\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho hi\n--==B==--\n',
      'mime-multipart',
    ],
  ];
  for (const [text, kind] of cases) {
    assert.equal(parseUserData(text).kind, kind, kind);
    assert.equal(parseUserData(b64(text)).kind, kind, `${kind} in base64`);
  }
});

test('parseUserData() refuses a cloud-config-archive that is not a list', () => {
  assert.match(thrown(() => parseUserData('#cloud-config-archive\na: 1\n')).message, /must be a list/);
});

test('parseUserData() refuses text with no cloud-init header, saying what is accepted', () => {
  const error = thrown(() => parseUserData('# my settings\npackages: [vim]\n'));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.match(error.message, /its first line is not a cloud-init user-data header; accepted: #cloud-config/);
  const plain = thrown(() => parseUserData('install vim please'));
  assert.match(plain.message, /neither a cloud-init user-data document .* nor base64 of one/);
});

test('parseUserData() refuses base64 of something that is not user data', () => {
  assert.match(thrown(() => parseUserData(b64('packages: [vim]\n'))).message, /it is base64, and once decoded its first line is not a cloud-init user-data header/);
  assert.match(thrown(() => parseUserData(b64(new Uint8Array([0xff, 0xfe, 0x00, 0x23])))).message, /not UTF-8 text/);
  assert.match(thrown(() => parseUserData('aGVsbG8')).message, /nor valid base64/);
});

test('parseUserData() refuses a byte order mark, which hides the header from cloud-init', () => {
  assert.match(thrown(() => parseUserData('\ufeff#cloud-config\na: 1\n')).message, /byte order mark/);
  assert.match(thrown(() => parseUserData(b64('\ufeff#cloud-config\na: 1\n'))).message, /byte order mark/);
});

test('parseUserData() never quotes the user data in its messages', () => {
  const secret = 'hunter2-secret-password';
  for (const input of [`password: ${secret}`, `# ${secret}\n`, b64(`password: ${secret}\n`), `#cloud-config\n- ${secret}\n`]) {
    assert.ok(!thrown(() => parseUserData(input)).message.includes(secret), input);
  }
});
