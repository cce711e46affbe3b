// Shared inputs for the contract tests (not a test file itself).
import { createHash } from 'node:crypto';

/** Encodes RFC 4251 strings and concatenates them: the wire form of an SSH public key blob. */
export function wireBlob(...fields: Array<string | Uint8Array>): Uint8Array {
  const parts = fields.map((field) => (typeof field === 'string' ? new TextEncoder().encode(field) : field));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + 4 + part.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length, false);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

/** A deterministic, well-formed ssh-ed25519 public key line (no tool needed). */
export function ed25519KeyLine(comment = 'me@laptop', seed = 'byoi'): string {
  const key = createHash('sha256').update(seed).digest();
  return `ssh-ed25519 ${Buffer.from(wireBlob('ssh-ed25519', key)).toString('base64')}${comment === '' ? '' : ` ${comment}`}`;
}

/** The 1024-bit RSA key of the seed guide's example payload. */
export const seedSshKey =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC9xPpdqP3sx2H+gcBm65tJEaUbuifQ1uGkgrWtNY0PRKNNPdy+3yoVOtxk6Vjo4YZ0EU/JhmQfnrK7X7Q5vhqYxmozi0LiTRt0BxgqHJ+4hWTWMIOgr+C2jLx7ZsCReRk+fy5AHr6h0PHQEuXVLXeUy/TDyuY2JPtUZ5jcqvLYgQ== my-nuclear-power-plant';

/** The seed guide's configDriveUserData, base64. */
export const seedUserDataBase64 =
  'I2Nsb3VkLWNvbmZpZwpzc2hfYXV0aG9yaXplZF9rZXlzOgogIC0gc3NoLXJzYSBBQUFBQjhkallpdz09IG15c2VsZkBteWRvbWFpbi5uZXQKCnVzZXJzOgogIC0gbmFtZTogcGF0aWVudDAKICAgIHN1ZG86IEFMTD0oQUxMKSBOT1BBU1NXRDpBTEwKICAgIGdyb3VwczogdXNlcnMsIHN1ZG8KICAgIHNoZWxsOiAvYmluL2Jhc2gKICAgIGxvY2tfcGFzc3dkOiBmYWxzZQogICAgc3NoX2F1dGhvcml6ZWRfa2V5czoKICAgICAgLSBzc2gtcnNhIEFBQUFCOGRqWWl3PT0gbXlzZWxmQG15ZG9tYWluLm5ldApkaXNhYmxlX3Jvb3Q6IGZhbHNlCnBhY2thZ2VzOgogIC0gdmltCiAgLSB0cmVlCmZpbmFsX21lc3NhZ2U6IFRoZSBzeXN0ZW0gaXMgZmluYWxseSB1cCwgYWZ0ZXIgJFVQVElNRSBzZWNvbmRzCg==';

/** The clear text the seed guide shows for seedUserDataBase64. */
export const seedUserDataText = `#cloud-config
ssh_authorized_keys:
  - ssh-rsa AAAAB8djYiw== myself@mydomain.net

users:
  - name: patient0
    sudo: ALL=(ALL) NOPASSWD:ALL
    groups: users, sudo
    shell: /bin/bash
    lock_passwd: false
    ssh_authorized_keys:
      - ssh-rsa AAAAB8djYiw== myself@mydomain.net
disable_root: false
packages:
  - vim
  - tree
final_message: The system is finally up, after $UPTIME seconds
`;

/**
 * The seed guide's example payload, exactly as printed (JSON text, so its escapes are JSON's), parsed fresh
 * on every call.
 */
export function seedBody(): Record<string, unknown> & { customizations: Record<string, unknown> } {
  return JSON.parse(`{
  "operatingSystem": "byoi_64",
  "customizations": {
    "hostname": "mon-tux",
    "imageURL": "https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw",
    "imageType": "raw",
    "sshKey": "${seedSshKey}",
    "efiBootloaderPath": "\\\\efi\\\\debian\\\\grubx64.efi",
    "imageCheckSum": "2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa",
    "httpHeaders": {
      "Authorization": "Basic bG9naW46cGFzc3dvcmQ="
    },
    "imageCheckSumType": "sha512",
    "configDriveUserData": "${seedUserDataBase64}"
  }
}`);
}

/** A minimal valid reinstall body. */
export function minimalBody(): { operatingSystem: string; customizations: Record<string, unknown>; [key: string]: unknown } {
  return { operatingSystem: 'byoi_64', customizations: { imageURL: 'https://images.example/debian.qcow2', imageType: 'qcow2' } };
}

/** Calls `fn` and returns what it threw; fails the test if it returned. */
export function thrown(fn: () => unknown): { code: string; message: string; params: Record<string, string> } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string; params: Record<string, string> };
  }
  throw new Error('expected an error, but nothing was thrown');
}
