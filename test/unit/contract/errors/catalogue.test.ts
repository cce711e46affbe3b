import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { catalogue, type ErrorCode } from '../../../../src/contract/errors/catalogue.ts';

const docsPath = new URL('../../../../docs/ERRORS.md', import.meta.url);

interface DocumentedError {
  code: string;
  fields: Map<string, string>;
  when: string;
}

function readDocs(): DocumentedError[] {
  const text = readFileSync(docsPath, 'utf8');
  const sections = text.split(/^### /m).slice(1);
  return sections.map((section) => {
    const [heading = '', ...rest] = section.split('\n');
    const fields = new Map<string, string>();
    const prose: string[] = [];
    for (const line of rest) {
      const field = /^- ([A-Za-z ]+): (.*)$/.exec(line);
      if (field !== null) fields.set(field[1] as string, field[2] as string);
      else if (line.trim() !== '' && !line.startsWith('## ')) prose.push(line.trim());
    }
    return { code: heading.trim(), fields, when: prose.join(' ') };
  });
}

test('docs/ERRORS.md documents every catalogue code and no other', () => {
  const documented = readDocs().map((section) => section.code);
  const codes = Object.keys(catalogue);
  assert.deepEqual(
    codes.filter((code) => !documented.includes(code)),
    [],
    'codes missing from docs/ERRORS.md',
  );
  assert.deepEqual(
    documented.filter((code) => !codes.includes(code)),
    [],
    'docs/ERRORS.md documents codes the catalogue does not have',
  );
  assert.equal(new Set(documented).size, documented.length, 'a code is documented twice');
});

test('docs/ERRORS.md gives each code the catalogue class, status, fault, message and solution', () => {
  for (const section of readDocs()) {
    const entry = catalogue[section.code as ErrorCode] as
      | { class: string; status: number; fault: string; message: string; solution?: string }
      | undefined;
    if (entry === undefined) continue; // reported by the test above
    assert.equal(section.fields.get('Class'), `\`${entry.class}\``, `${section.code} class`);
    assert.equal(section.fields.get('HTTP status'), String(entry.status), `${section.code} status`);
    assert.equal(section.fields.get('Fault')?.split(' ')[0], entry.fault, `${section.code} fault`);
    assert.equal(section.fields.get('Message'), `\`${entry.message}\``, `${section.code} message`);
    assert.equal(section.fields.get('Solution'), entry.solution ?? 'none given', `${section.code} solution`);
    assert.ok(section.when.length > 20, `${section.code} needs a sentence on when it happens`);
  }
});

// The seed guide's "Common customer errors" table, word for word, placeholders (x, n, m, t, <error message>)
// replaced by example values; the catalogue must produce exactly these texts.
const seedMessages: Array<[string, ErrorCode, Record<string, string | number>]> = [
  ['Please provide checkSum AND checkSumType or none of them', 'BYOI_REQUEST_CHECKSUM_PAIR', {}],
  [
    'image provided format is vmdk which does not match expected qcow2 format',
    'BYOI_IMAGE_FORMAT_MISMATCH',
    { found: 'vmdk', expected: 'qcow2' },
  ],
  [
    // The seed writes the literal word "device"; the catalogue fills in the device, here named "device".
    'image provided has a size of 5368709120 bytes which is larger than device of 2147483648 bytes',
    'BYOI_IMAGE_TOO_LARGE',
    { imageSize: 5368709120, device: 'device', deviceSize: 2147483648 },
  ],
  ["Can't write qcow2 on disk", 'BYOI_DEPLOY_WRITE_FAILED', { imageType: 'qcow2' }],
  [
    'Could not download, raw image is too big to download in memory.',
    'BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY',
    { imageType: 'raw' },
  ],
  [
    'Could not download image: HTTP 404 Not Found',
    'BYOI_DOWNLOAD_FAILED',
    { reason: 'HTTP 404 Not Found' },
  ],
  [
    'image provided format is not of type raw because no partition table was found. It seems to contain: an ext4 filesystem',
    'BYOI_IMAGE_NO_PARTITION_TABLE',
    { contents: 'an ext4 filesystem' },
  ],
  [
    'Bad checkSumType for downloaded file, got: 0123abcd while expecting 89efcdab.',
    'BYOI_CHECKSUM_MISMATCH',
    { got: '0123abcd', expected: '89efcdab' },
  ],
];

for (const [text, code, params] of seedMessages) {
  test(`catalogue ${code} renders the seed message "${text.slice(0, 40)}…" word for word`, () => {
    assert.equal(new ByoiError(code, params).message, text);
  });
}

test('catalogue keeps the OVH API messages of the reinstall route word for word', () => {
  assert.equal(
    new ByoiError('BYOI_REQUEST_UNKNOWN_CUSTOMIZATION', { customizationName: 'language', operatingSystem: 'byoi_64' }).message,
    "Customization language doesn't exist for operating system byoi_64",
  );
  assert.equal(
    new ByoiError('BYOI_REQUEST_HOSTNAME_FORMAT', { label: '-bad' }).message,
    'Invalid hostname -bad; must contain no more than 63 characters, start with a letter, end with a letter or a digit and contain only letters, digits and hyphens, see RFC 1035, section 2.3.1',
  );
  assert.equal(
    new ByoiError('BYOI_REQUEST_HOSTNAME_SIZE', { length: 300, limit: 253 }).message,
    'Hostname provided is 300 length. It shall not be longer than 253 characters, see RFC 1035, section 2.3.4',
  );
  assert.equal(
    new ByoiError('BYOI_REQUEST_DISK_GROUP_MULTIPLE', { diskgroupsNumber: 2 }).message,
    'Multiple (2) disk groups customization not implemented',
  );
  assert.equal(
    new ByoiError('BYOI_REQUEST_OPERATING_SYSTEM', { operatingSystem: 'debian12_64' }).message,
    'Operating system debian12_64 could not be found',
  );
});
