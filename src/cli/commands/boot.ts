import type { Command } from 'commander';
import type { StoreFlags } from './store-options.ts';

/** The options of `byoi boot build-grub`, as commander gives them. */
export interface BuildGrubFlags extends Pick<StoreFlags, 'config' | 'dataDir'> {
  efiPath?: string;
}

/**
 * `byoi boot build-grub`: builds byoi's GRUB EFI chain loader for one efiBootloaderPath into the data
 * directory's cache ahead of time (the boot service otherwise builds it at the first UEFI disk boot), and says
 * whether this host can build it at all. Prints `{path, sha256, sizeBytes, efiBootloaderPath}` as JSON.
 */
export function registerBoot(program: Command): void {
  const boot = program.command('boot').description('The boot service: what iPXE gets from GET /boot/{mac}.ipxe');
  boot
    .command('build-grub')
    .description('Build the GRUB EFI chain loader (grub-mkimage, Debian grub-efi-amd64-bin) into DATA_DIR/boot/grub')
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--data-dir <dir>', 'data directory [./data]')
    .option('--efi-path <path>', 'efiBootloaderPath to find, e.g. \\EFI\\debian\\grubx64.efi [the removable-media path]')
    .action(async (flags: BuildGrubFlags) => {
      const { buildGrubAction } = await import('./boot-build-grub-action.ts');
      await buildGrubAction(flags);
    });
}
