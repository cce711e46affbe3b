import { join } from 'node:path';
import { createGrubChainLoader } from '../../control/boot/grub-chain-loader.ts';
import { renderGrubChainConfig } from '../../control/boot/render-grub-config.ts';
import { validateEfiBootloaderPath } from '../../contract/request/validate-efi-bootloader-path.ts';
import { configFromFlags } from './serve-options.ts';
import type { BuildGrubFlags } from './boot.ts';

/**
 * What `byoi boot build-grub` does once its options are parsed: builds the loader into DATA_DIR/boot/grub and
 * prints it as JSON, or says why this host cannot build it and sets process.exitCode to 1.
 */
export async function buildGrubAction(flags: BuildGrubFlags): Promise<void> {
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
}
