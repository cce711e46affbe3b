/**
 * The boot options of every server (OVH `GET .../boot`, `PUT {bootId}`). The boot service (control/boot/)
 * turns the server's bootId and bootScript into its iPXE script:
 *   1 harddisk: sanboot the disk (UEFI: efiBootloaderPath with a fallback; legacy: drive 0x80)
 *   2 rescue: the byoi rescue system (the installer's environment) without an install
 *   3 network: the server's custom `bootScript`
 * During an install the boot service serves the installer whatever the bootId.
 */
export const bootOptions = [
  { bootId: 1, bootType: 'harddisk', description: 'Boot from the disk', kernel: 'harddisk' },
  { bootId: 2, bootType: 'rescue', description: 'byoi rescue system', kernel: 'byoi-rescue' },
  { bootId: 3, bootType: 'network', description: 'Custom iPXE script (bootScript)', kernel: 'ipxe-script' },
] as const;

export type BootOption = (typeof bootOptions)[number];

export const harddiskBootId = 1;
export const customScriptBootId = 3;

export function findBootOption(bootId: number): BootOption | undefined {
  return bootOptions.find((option) => option.bootId === bootId);
}
