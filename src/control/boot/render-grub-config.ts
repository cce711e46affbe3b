import { efiPathToGrub, grubQuote } from './grub-text.ts';
import { defaultEfiLoaderPath } from './render-ipxe-script.ts';

/**
 * The configuration embedded in byoi's GRUB EFI chain loader (grub-chain-loader.ts). It needs no network:
 * it searches every disk for the partition holding exactly `efiBootloaderPath` (FAT names match without
 * regard to case), chainloads that file and boots it. When the file is missing or does not start, it says so
 * on the console and exits back to iPXE, whose script then reports the failure and returns to the firmware.
 * The text depends only on the path, so every server with the same path shares one image.
 *
 * @example
 * renderGrubChainConfig('\\EFI\\debian\\grubx64.efi').includes("search --no-floppy --file --set=byoi_esp") // true
 */
export function renderGrubChainConfig(efiBootloaderPath: string | null): string {
  const efiPath = efiBootloaderPath ?? defaultEfiLoaderPath;
  const grubPath = efiPathToGrub(efiPath);
  const lines = [
    '# byoi GRUB EFI chain loader: start exactly the EFI loader the control plane names (efiBootloaderPath).',
    'set timeout=0',
    `set byoi_path=${grubQuote(grubPath)}`,
    `echo ${grubQuote(`byoi: GRUB chain loader: looking for ${efiPath} on every disk`)}`,
    'if search --no-floppy --file --set=byoi_esp "$byoi_path"; then',
    '  echo "byoi: found on ($byoi_esp), starting it"',
    // chainloader gives the started loader the device of $root (GRUB 2.06 efi/chainloader.c), so set it first.
    '  set root="$byoi_esp"',
    '  chainloader "$byoi_path"',
    '  boot',
    `  echo ${grubQuote(`byoi: ${efiPath} was found but did not start (not an EFI application for this machine, or refused by Secure Boot)`)}`,
    'else',
    `  echo ${grubQuote(`byoi: efiBootloaderPath ${efiPath} was not found on any disk; set the right one with PUT /dedicated/server/{serviceName} {"efiBootloaderPath": ...}`)}`,
    'fi',
    "echo 'byoi: returning to iPXE in 5 seconds'",
    'sleep 5',
    'exit 1',
    '',
  ];
  return lines.join('\n');
}
