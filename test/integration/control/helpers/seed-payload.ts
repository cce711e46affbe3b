import { readFileSync } from 'node:fs';
import { sshRsaPublicKey } from './ssh-key.ts';

/**
 * The seed guide's example reinstall payload (/work/shared/seed/byoi-guide.txt, "Deploy your image via the
 * API"), copied here so the test does not depend on the shared folder, with its 1024-bit example SSH key
 * replaced by a generated 2048-bit one (byoi refuses RSA below 2048 bits).
 */
let sshKey: string | undefined;

export function seedReinstallPayload(overrides: { imageURL?: string } = {}): Record<string, unknown> {
  // One key per test process: RSA key generation takes a noticeable moment.
  sshKey ??= sshRsaPublicKey(2048, 'my-nuclear-power-plant');
  return {
    operatingSystem: 'byoi_64',
    customizations: {
      hostname: 'mon-tux',
      imageURL: overrides.imageURL ?? 'https://cdimage.debian.org/cdimage/cloud/bullseye/20230124-1270/debian-11-generic-amd64-20230124-1270.raw',
      imageType: 'raw',
      sshKey,
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      imageCheckSum:
        '2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa',
      httpHeaders: { Authorization: 'Basic bG9naW46cGFzc3dvcmQ=' },
      imageCheckSumType: 'sha512',
      configDriveUserData:
        'I2Nsb3VkLWNvbmZpZwpzc2hfYXV0aG9yaXplZF9rZXlzOgogIC0gc3NoLXJzYSBBQUFBQjhkallpdz09IG15c2VsZkBteWRvbWFpbi5uZXQKCnVzZXJzOgogIC0gbmFtZTogcGF0aWVudDAKICAgIHN1ZG86IEFMTD0oQUxMKSBOT1BBU1NXRDpBTEwKICAgIGdyb3VwczogdXNlcnMsIHN1ZG8KICAgIHNoZWxsOiAvYmluL2Jhc2gKICAgIGxvY2tfcGFzc3dkOiBmYWxzZQogICAgc3NoX2F1dGhvcml6ZWRfa2V5czoKICAgICAgLSBzc2gtcnNhIEFBQUFCOGRqWWl3PT0gbXlzZWxmQG15ZG9tYWluLm5ldApkaXNhYmxlX3Jvb3Q6IGZhbHNlCnBhY2thZ2VzOgogIC0gdmltCiAgLSB0cmVlCmZpbmFsX21lc3NhZ2U6IFRoZSBzeXN0ZW0gaXMgZmluYWxseSB1cCwgYWZ0ZXIgJFVQVElNRSBzZWNvbmRzCg==',
    },
  };
}

/** True when the seed file is readable and still holds the payload above (guards against a stale copy). */
export function seedFileMatches(): boolean | undefined {
  try {
    const text = readFileSync('/work/shared/seed/byoi-guide.txt', 'utf8');
    return text.includes('"imageCheckSum": "2cbd3dd5606ef95a5cfa47943b3ad453fcc43522915be7f559a296a71395f82f88e621e558df7aa5f3d2e62c20043f9430ad18c900e565a1c070066e8d008aaa"');
  } catch {
    return undefined;
  }
}
