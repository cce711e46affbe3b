import type { ConfigDriveFile } from './config-drive-file.ts';
import type { ConfigDriveInput, ConfigDrivePhoneHome } from './config-drive-input.ts';
import { toCanonicalJson, type JsonValue } from './to-canonical-json.ts';
import { configDriveError } from './_config-drive-error.ts';

/**
 * Metadata versions written, each with the same files. cloud-init (helpers/openstack.py `_find_working_version`)
 * reads the newest dated version it knows that is present, else `latest`; with 2012-08-10 present it reads
 * every file (network_data.json, vendor_data.json included) from there, so both directories carry the full set,
 * as openstacksdk's configdrive builder does.
 */
export const configDriveVersions = ['2012-08-10', 'latest'] as const;

/** Retries of cloud-init's phone_home POST (cc_phone_home `tries`). */
const phoneHomeTries = 10;

/**
 * Builds the files of an OpenStack config drive (FORMAT.md "Contents") from plain data: meta_data.json,
 * user_data (when given), network_data.json (when given) and vendor_data.json, under each of
 * `configDriveVersions`. JSON files are UTF-8 with sorted keys, so equal input gives equal bytes.
 * Throws BYOI_CONFIGDRIVE_FAILED with a detail when the input cannot be written.
 *
 * @example
 * ```ts
 * const files = buildConfigDriveFiles({ uuid: 'c0ffee00-0000-4000-8000-000000000001', hostname: 'web1',
 *   publicKeys: [{ name: 'default', key: 'ssh-ed25519 AAAA... me' }], userData: null, meta: {},
 *   availabilityZone: 'byoi', launchIndex: 0 });
 * files.map((f) => f.path); // openstack/2012-08-10/meta_data.json, .../vendor_data.json, openstack/latest/...
 * ```
 */
export function buildConfigDriveFiles(input: ConfigDriveInput): ConfigDriveFile[] {
  checkInput(input);
  const encoder = new TextEncoder();
  const metaData = encoder.encode(toCanonicalJson(metaDataJson(input)));
  const networkData = input.networkData === undefined ? null : encoder.encode(json(input.networkData, 'networkData'));
  const vendorData = encoder.encode(json(vendorDataJson(input), 'vendorData'));

  const files: ConfigDriveFile[] = [];
  for (const version of configDriveVersions) {
    const directory = `openstack/${version}`;
    files.push({ path: `${directory}/meta_data.json`, bytes: metaData });
    if (networkData !== null) files.push({ path: `${directory}/network_data.json`, bytes: networkData });
    if (input.userData !== null) files.push({ path: `${directory}/user_data`, bytes: input.userData });
    files.push({ path: `${directory}/vendor_data.json`, bytes: vendorData });
  }
  return files;
}

/** meta_data.json: the keys cloud-init reads (uuid, hostname, public_keys, meta) plus Nova's usual companions. */
function metaDataJson(input: ConfigDriveInput): { [key: string]: JsonValue } {
  const publicKeys: { [name: string]: JsonValue } = {};
  const keys: JsonValue[] = [];
  for (const { name, key } of input.publicKeys) {
    publicKeys[name] = key;
    keys.push({ name, type: 'ssh', data: key });
  }
  const meta: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(input.meta)) meta[key] = value;
  const metaData: { [key: string]: JsonValue } = {
    uuid: input.uuid,
    availability_zone: input.availabilityZone,
    launch_index: input.launchIndex,
    public_keys: publicKeys,
    keys,
    meta,
    devices: [],
  };
  if (input.hostname !== null) {
    metaData.hostname = input.hostname;
    metaData.name = input.hostname;
  }
  return metaData;
}

/**
 * vendor_data.json: the caller's vendor data, with the phone-home cloud-config added to its `cloud-init` entry.
 * cloud-init (sources `convert_vendordata`) accepts a string or a list of parts there; a list is processed like
 * multipart user data, so the caller's part and ours both apply.
 */
function vendorDataJson(input: ConfigDriveInput): { [key: string]: JsonValue } {
  const vendorData: { [key: string]: JsonValue } = { ...(input.vendorData ?? {}) };
  if (input.phoneHome === undefined) return vendorData;
  const part = phoneHomeCloudConfig(input.phoneHome);
  const existing = vendorData['cloud-init'];
  if (existing === undefined || existing === null) {
    vendorData['cloud-init'] = part;
  } else if (typeof existing === 'string') {
    vendorData['cloud-init'] = [existing, part];
  } else if (Array.isArray(existing)) {
    vendorData['cloud-init'] = [...existing, part];
  } else {
    throw configDriveError(`Cannot add phone home to vendor data: its "cloud-init" entry is a ${typeof existing}, not a string or a list`);
  }
  return vendorData;
}

/**
 * A cloud-config part for cloud-init's phone_home module. The body is JSON, which YAML 1.1 (PyYAML) reads as a
 * flow mapping. `post: all` sends instance_id, hostname, fqdn and the SSH host public keys as a form POST.
 */
function phoneHomeCloudConfig(phoneHome: ConfigDrivePhoneHome): string {
  const separator = phoneHome.url.includes('?') ? '&' : '?';
  const url = `${phoneHome.url}${separator}token=${encodeURIComponent(phoneHome.token)}`;
  const body = JSON.stringify({ phone_home: { url, post: 'all', tries: phoneHomeTries } });
  return `#cloud-config\n${body}\n`;
}

function json(value: { [key: string]: JsonValue }, what: string): string {
  try {
    return toCanonicalJson(value);
  } catch (error) {
    throw configDriveError(`Cannot write ${what}: ${(error as Error).message}`, error);
  }
}

function checkInput(input: ConfigDriveInput): void {
  if (!/^[\x21-\x7e]+$/.test(input.uuid)) {
    throw configDriveError(`Cannot use uuid "${input.uuid}": it must be non-empty printable ASCII without spaces`);
  }
  if (input.hostname !== null && !/^[\x21-\x7e]+$/.test(input.hostname)) {
    throw configDriveError(`Cannot use hostname "${input.hostname}": it must be non-empty printable ASCII without spaces`);
  }
  if (!Number.isSafeInteger(input.launchIndex) || input.launchIndex < 0) {
    throw configDriveError(`Cannot use launch index ${input.launchIndex}: it must be a non-negative integer`);
  }
  const names = new Set<string>();
  for (const { name, key } of input.publicKeys) {
    if (name === '' || names.has(name)) {
      throw configDriveError(`Cannot use SSH key name "${name}": names must be non-empty and unique`);
    }
    names.add(name);
    if (key.trim() === '' || /[\r\n]/.test(key)) {
      throw configDriveError(`Cannot use SSH key "${name}": it must be one non-empty line`);
    }
  }
  if (input.phoneHome !== undefined) checkPhoneHome(input.phoneHome);
}

function checkPhoneHome(phoneHome: ConfigDrivePhoneHome): void {
  let url: URL;
  try {
    url = new URL(phoneHome.url);
  } catch {
    throw configDriveError(`Cannot use phone home URL "${phoneHome.url}": it is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configDriveError(`Cannot use phone home URL "${phoneHome.url}": it must be http or https`);
  }
  if (phoneHome.url.includes('#')) {
    throw configDriveError(`Cannot use phone home URL "${phoneHome.url}": it must not have a fragment`);
  }
  // cc_phone_home renders the URL as a template ($name or ${name}, names of [A-Za-z0-9_.]): any variable other
  // than INSTANCE_ID would fail there.
  if (phoneHome.url.replace(/\$\{INSTANCE_ID\}|\$INSTANCE_ID(?![A-Za-z0-9_.])/g, '').includes('$')) {
    throw configDriveError(`Cannot use phone home URL "${phoneHome.url}": "$INSTANCE_ID" is the only "$" cloud-init can fill`);
  }
  if (phoneHome.token === '') throw configDriveError('Cannot use phone home: the token is empty');
}
