import type { Command } from 'commander';
import { collectOption } from '../parse-header-option.ts';

/** The options of `byoi deploy`, as commander gives them. */
export interface DeployFlags {
  image: string;
  type: string;
  disk: string;
  checksum?: string;
  checksumType?: string;
  header: string[];
  ca?: string;
  hostname?: string;
  sshKey: string[];
  userData?: string;
  meta: string[];
  efiPath?: string;
  bootMode?: string;
  configDriveFs?: string;
  yes?: boolean;
  json?: boolean;
}

const helpText = `
ALL DATA ON THE DISK IS ERASED. On a terminal, byoi asks for confirmation unless --yes is given; without a
terminal (a script, a pipe, the rescue agent) it refuses to run unless --yes is given.

The image is streamed to the disk in one pass (qcow2 decoded on the way), hashed as it arrives (--checksum, else
sha256 is reported), resumed after network cuts; the partition tables are written last, only once everything
checked out, so a failed deploy leaves a disk that does not boot. The backup GPT moves to the end of the disk and
a config drive (label config-2, for cloud-init) is added in the last 64 MiB.

Exit status:
  0  deployed
  1  the deploy failed (the catalogue message is on stderr, and in the --json result)
  2  usage error (unknown option, bad value, no confirmation)

Examples:
  byoi deploy --image https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2 \\
    --type qcow2 --disk /dev/sda --hostname web1 --ssh-key "$(cat ~/.ssh/id_ed25519.pub)" --boot-mode uefi
  byoi deploy --image ./disk.raw --type raw --disk ./vm-disk.img --yes --json`;

/** `byoi deploy`: stream an image onto a disk, verified, commit-last, with the config drive. */
export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('Stream a raw or qcow2 image onto a disk (ERASES it), verified, with a cloud-init config drive')
    .requiredOption('--image <url-or-path>', 'http(s) URL, file:// URL or local path of the image')
    .requiredOption('--type <type>', 'imageType: raw or qcow2 (the bytes must agree)')
    .requiredOption('--disk <path>', 'block device or existing regular file to write (all its data is erased)')
    .option('--checksum <hex>', 'imageCheckSum of the image file (give --checksum-type too)')
    .option('--checksum-type <type>', 'imageCheckSumType: md5, sha1, sha256 or sha512')
    .option('-H, --header <header>', 'HTTP request header "Name: value" (repeatable; never printed)', collectOption, [])
    .option('--ca <file>', 'extra CA certificates (PEM) to trust for an https URL')
    .option('--hostname <name>', 'hostname for cloud-init')
    .option('--ssh-key <key>', 'SSH public key line for cloud-init (repeatable)', collectOption, [])
    .option('--user-data <file>', 'configDriveUserData: #cloud-config or a script, clear text or base64 (never printed)')
    .option('--meta <key=value>', 'configDriveMetadata entry (repeatable)', collectOption, [])
    .option('--efi-path <path>', 'efiBootloaderPath you expect, e.g. \\efi\\debian\\grubx64.efi (checked on the ESP)')
    .option('--boot-mode <mode>', 'uefi (requires an ESP with a loader) or legacy')
    .option('--config-drive-fs <fs>', 'config drive filesystem: vfat (default) or iso9660 (never on 4K-sector disks)')
    .option('-y, --yes', 'erase the disk without asking')
    .option('--json', 'print one JSON event per line, then a result object, on stdout')
    .addHelpText('after', helpText)
    .action(async (flags: DeployFlags, command: Command) => {
      const { deployAction } = await import('./deploy-action.ts');
      await deployAction(flags, command);
    });
}
