import type { Command } from 'commander';
import { join } from 'node:path';
import { createGrubChainLoader } from '../../control/boot/grub-chain-loader.ts';
import { renderGrubChainConfig } from '../../control/boot/render-grub-config.ts';
import { validateEfiBootloaderPath } from '../../contract/request/validate-efi-bootloader-path.ts';
import { configFromFlags, type StoreFlags } from './serve-options.ts';

interface BuildGrubFlags extends Pick<StoreFlags, 'config' | 'dataDir'> {
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
      const config = configFromFlags({ config: flags.config, dataDir: flags.dataDir });
      const efiPath = flags.efiPath === undefined ? null : validateEfiBootloaderPath(flags.efiPath);
      const loader = createGrubChainLoader({ cacheDir: join(config.dataDir, 'boot', 'grub') });
      if (!loader.available) {
        process.stderr.write(`byoi: cannot build the GRUB EFI chain loader: ${loader.unavailableReason}\n`);
        process.exitCode = 1;
        return;
      }
      const image = await loader.build(renderGrubChainConfig(efiPath));
      process.stdout.write(`${JSON.stringify({ path: image.path, sha256: image.sha256, sizeBytes: image.bytes.length, efiBootloaderPath: efiPath })}\n`);
    });
}
