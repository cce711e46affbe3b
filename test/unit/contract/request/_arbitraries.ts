// fast-check generators of valid install bodies, for the property tests (not a test file itself).
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ed25519KeyLine } from '../_fixtures.ts';

const refusedHeaders = new Set(['host', 'content-length', 'transfer-encoding', 'expect', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'accept-encoding']);

const hexOf = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${length}}$`));
const checksumArb = fc.oneof(
  fc.record({ imageCheckSumType: fc.constant('md5'), imageCheckSum: hexOf(32) }),
  fc.record({ imageCheckSumType: fc.constant('sha1'), imageCheckSum: hexOf(40) }),
  fc.record({ imageCheckSumType: fc.constant('sha256'), imageCheckSum: hexOf(64) }),
  fc.record({ imageCheckSumType: fc.constant('sha512'), imageCheckSum: hexOf(128) }),
);

const labelArb = fc.stringMatching(/^[A-Za-z]([A-Za-z0-9-]{0,12}[A-Za-z0-9])?$/);
const hostnameArb = fc.array(labelArb, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
const efiArb = fc
  .tuple(fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), { maxLength: 3 }), fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), fc.constantFrom('.efi', '.EFI'))
  .map(([dirs, file, ext]) => `\\${[...dirs, `${file}${ext}`].join('\\')}`);

const headersArb = fc
  .dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/), fc.stringMatching(/^[\x20-\x7e]{0,40}$/), { maxKeys: 4 })
  .filter((headers) => {
    const names = Object.keys(headers).map((name) => name.toLowerCase());
    return new Set(names).size === names.length && !names.some((name) => refusedHeaders.has(name));
  });

const metadataArb = fc
  .dictionary(fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,12}$/), fc.stringMatching(/^[\x20-\x7e]{0,30}$/), { maxKeys: 5 })
  .filter((metadata) => !Object.hasOwn(metadata, 'dsmode'));

const documents = [
  '#cloud-config\npackages:\n  - vim\n',
  '#!/bin/sh\necho hello > /etc/motd\n',
  '#cloud-config-archive\n- type: text/cloud-config\n  content: "a: 1"\n',
  '#include\nhttps://example.com/a.yaml\n',
];
const userDataArb = fc
  .tuple(fc.constantFrom(...documents), fc.constantFrom('text', 'base64', 'gzip'))
  .map(([text, how]) =>
    how === 'text' ? text : Buffer.from(how === 'gzip' ? gzipSync(text) : Buffer.from(text)).toString('base64'),
  );

const sshKeyArb = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.stringMatching(/^[A-Za-z0-9@.-]{0,20}$/))
  .map(([seed, comment]) => ed25519KeyLine(comment, seed));

const urlArb = fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true });

/** Customizations that parse, optional ones present or not. */
export const customizationsArb = fc
  .record(
    {
      imageURL: urlArb,
      imageType: fc.constantFrom('qcow2', 'raw'),
      checksum: checksumArb,
      efiBootloaderPath: efiArb,
      httpHeaders: headersArb,
      hostname: hostnameArb,
      sshKey: sshKeyArb,
      configDriveUserData: userDataArb,
      configDriveMetadata: metadataArb,
    },
    { requiredKeys: ['imageURL', 'imageType'] },
  )
  .map(({ checksum, ...rest }) => ({ ...rest, ...(checksum ?? {}) }) as Record<string, unknown>);

/** A `/reinstall` body that parses. */
export const reinstallBodyArb = fc
  .tuple(customizationsArb, fc.option(fc.nat({ max: 8 }), { nil: undefined }))
  .map(([customizations, diskGroupId]) => ({
    operatingSystem: 'byoi_64',
    customizations,
    ...(diskGroupId === undefined ? {} : { storage: [{ diskGroupId }] }),
  })) as fc.Arbitrary<Record<string, unknown>>;

/** An `/install/start` body that parses. */
export const installStartBodyArb = customizationsArb.map((customizations) => {
  const { hostname, httpHeaders, configDriveMetadata, ...strings } = customizations;
  const userMetadata = Object.entries(strings).map(([key, value]) => ({ key, value: value as string }));
  Object.entries((httpHeaders ?? {}) as Record<string, string>).forEach(([name, value], index) => {
    userMetadata.push({ key: `httpHeaders${index}Key`, value: name }, { key: `httpHeaders${index}Value`, value });
  });
  if (configDriveMetadata !== undefined) userMetadata.push({ key: 'configDriveMetadata', value: JSON.stringify(configDriveMetadata) });
  return { templateName: 'byoi_64', ...(hostname === undefined ? {} : { details: { customHostname: hostname } }), userMetadata };
}) as fc.Arbitrary<Record<string, unknown>>;

/** Places a mutation may touch in a reinstall body. */
export const reinstallPaths = [
  [],
  ['operatingSystem'],
  ['customizations'],
  ...['imageURL', 'imageType', 'imageCheckSum', 'imageCheckSumType', 'efiBootloaderPath', 'httpHeaders', 'hostname', 'sshKey', 'configDriveUserData', 'configDriveMetadata', 'ConfigDriveMetadata', 'language'].map((key) => ['customizations', key]),
  ['customizations', 'httpHeaders', 'Authorization'],
  ['customizations', 'configDriveMetadata', 'dsmode'],
  ['storage'],
  ['storage', '0'],
  ['storage', '0', 'diskGroupId'],
  ['storage', '0', 'hardwareRaid'],
  ['properties'],
];

/** Places a mutation may touch in an install/start body. */
export const installStartPaths = [
  [],
  ['templateName'],
  ['details'],
  ['details', 'customHostname'],
  ['details', 'diskGroupId'],
  ['userMetadata'],
  ['userMetadata', '0'],
  ['userMetadata', '0', 'key'],
  ['userMetadata', '0', 'value'],
  ['userMetadata', '1', 'value'],
  ['userMetadata', '9'],
  ['partitionSchemeName'],
];

/** One change to a body: set (or delete, for undefined) the value at a path. */
export const mutationArb = (paths: string[][]) =>
  fc.record({
    path: fc.constantFrom(...paths),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constant(undefined),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', 'byoi_64', 'qcow2', 'sha256', '#cloud-config\n', '__proto__', -1, 1.5, 0),
    ),
  });

/** Applies mutations to a deep copy of `body`; a path through a non-object is skipped. */
export function mutate(body: unknown, mutations: ReadonlyArray<{ path: string[]; value: unknown }>): unknown {
  let result: unknown = structuredClone(body);
  for (const { path, value } of mutations) {
    if (path.length === 0) {
      result = value;
      continue;
    }
    let parent: unknown = result;
    for (const key of path.slice(0, -1)) {
      parent = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[key] : undefined;
    }
    if (typeof parent !== 'object' || parent === null) continue;
    const last = path[path.length - 1] as string;
    if (value === undefined) delete (parent as Record<string, unknown>)[last];
    else Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}
