import type { Command } from 'commander';
import { collectOption } from '../parse-header-option.ts';

/** The options of `byoi inspect`, as commander gives them. */
export interface InspectFlags {
  header: string[];
  ca?: string;
  json?: boolean;
  type?: string;
  diskSize?: string;
  diskName?: string;
  sectorSize?: string;
  bootMode?: string;
  efiPath?: string;
  configDriveSize?: string;
  checksum?: string;
  checksumType?: string;
}

const helpText = `
Reads only what it needs: a local file directly, a URL with a few HTTP Range requests (or, when the server has
no Range support, one download into a temporary file that is deleted afterwards). Nothing is written anywhere.

Checks are made for what you give: --type, --disk-size (and --sector-size), --boot-mode, --efi-path, --checksum.
Without --type, a container (vmdk, vhdx...) is measured against qcow2 and a compressed file against raw.
A local file's checksum is computed; a URL's is left to the deploy, which hashes every byte it downloads.

Exit status:
  0  no error-severity problem: the image fits what was asked (warnings may be printed)
  1  at least one error-severity problem, or the image cannot be read (e.g. HTTP 401)
  2  usage error (unknown option, bad value)

Examples:
  byoi inspect debian-12-genericcloud-amd64.qcow2
  byoi inspect https://images.example/disk.raw --header "Authorization: Bearer $TOKEN" --type raw --disk-size 480G
  byoi inspect ./image.qcow2 --json --boot-mode uefi --efi-path '\\EFI\\debian\\shimx64.efi'`;

/** `byoi inspect`: will this image deploy and boot? Answered from the image's own bytes, before anything is erased. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Tell from an image\'s own bytes (a file, or a URL read by Range) whether it will deploy and boot')
    .argument('<path-or-url>', 'a local image file, a file:// URL, or an http(s) URL')
    .option('-H, --header <header>', 'HTTP request header "Name: value" for a URL (repeatable; never printed)', collectOption, [])
    .option('--ca <file>', 'extra CA certificates (PEM) to trust for an https URL')
    .option('--json', 'print one JSON object (the InspectResult) instead of the report')
    .option('--type <type>', 'expected imageType: raw or qcow2')
    .option('--disk-size <bytes>', 'size of the target disk: bytes, or with K, M, G, T (powers of 1024) or KB, MB, GB, TB')
    .option('--disk-name <name>', 'name of the target disk in messages', 'the disk')
    .option('--sector-size <bytes>', 'logical sector size of the target disk: 512 or 4096')
    .option('--boot-mode <mode>', 'how the server boots: uefi or legacy')
    .option('--efi-path <path>', 'the efiBootloaderPath the install request will give, e.g. \\EFI\\debian\\shimx64.efi')
    .option('--config-drive-size <bytes>', 'room the config drive needs at the end of the disk; 0 skips the check', '64M')
    .option('--checksum <hex>', 'expected imageCheckSum (give --checksum-type too)')
    .option('--checksum-type <type>', 'imageCheckSumType: md5, sha1, sha256 or sha512')
    .addHelpText('after', helpText)
    .action(async (location: string, flags: InspectFlags, command: Command) => {
      const { inspectAction } = await import('./inspect-action.ts');
      await inspectAction(location, flags, command);
    });
}
