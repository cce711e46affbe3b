import type { JsonValue } from './to-canonical-json.ts';

/** An SSH public key for meta_data.json: `public_keys[name] = key` and `keys[] = {name, type: "ssh", data: key}`. */
export interface ConfigDrivePublicKey {
  /** Key name, unique within the drive ("default" for the key of an install request). */
  name: string;
  /** One OpenSSH public key line (`ssh-ed25519 AAAA... comment`), already validated by the caller. */
  key: string;
}

/** Where the installed system reports its first boot (cloud-init's phone_home module, see FORMAT.md). */
export interface ConfigDrivePhoneHome {
  /** http(s) URL that receives the POST; `$INSTANCE_ID` is the only `$` allowed (cloud-init renders it). */
  url: string;
  /** One-time secret appended to the URL as the `token` query parameter. */
  token: string;
}

/**
 * Everything byoi puts on a config drive, as plain data. FORMAT.md says where each value lands.
 * `uuid` becomes cloud-init's instance-id: use a fresh one per install so cloud-init treats it as a new instance.
 */
export interface ConfigDriveInput {
  uuid: string;
  /** Hostname (or FQDN) for cloud-init's local-hostname; null keeps the image's own hostname. */
  hostname: string | null;
  publicKeys: readonly ConfigDrivePublicKey[];
  /** Written byte for byte as user_data (cloud-config, script, MIME multipart or gzip); null writes no file. */
  userData: Uint8Array | null;
  /** The install request's configDriveMetadata: meta_data.json `meta`. */
  meta: Readonly<Record<string, string>>;
  availabilityZone: string;
  launchIndex: number;
  /** OpenStack network_data.json (links/networks/services). Absent: no file, so cloud-init falls back to DHCP. */
  networkData?: { [key: string]: JsonValue };
  /** vendor_data.json content (`{"cloud-init": ...}` is what cloud-init consumes). */
  vendorData?: { [key: string]: JsonValue };
  phoneHome?: ConfigDrivePhoneHome;
}
