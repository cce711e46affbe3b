import type { Command } from 'commander';
import type { StoreFlags } from './store-options.ts';

/** The options of `byoi rescue build`, as commander gives them. */
export interface RescueBuildFlags extends Pick<StoreFlags, 'config' | 'dataDir'> {
  out?: string;
  cacheDir?: string;
  kernelPackage?: string;
  kernelDeb?: string;
  json?: boolean;
}

/**
 * `byoi rescue build`: the rescue system the boot service hands to servers (kernel + initramfs with busybox,
 * Node.js and the agent), into boot.rescueDir (default DATA_DIR/rescue). Options only: the build (rescue-build-action.ts) loads when the command runs.
 */
export function registerRescue(program: Command): void {
  const rescue = program.command('rescue').description('The rescue system servers boot into for an install (kernel + initramfs with the byoi agent)');
  rescue
    .command('build')
    .description("Build the rescue kernel and initramfs from Debian's kernel package, busybox-static, this Node.js and the agent")
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--data-dir <dir>', 'data directory [./data]')
    .option('--out <dir>', 'where vmlinuz and initrd.img go [boot.rescueDir, else DATA_DIR/rescue]')
    .option('--cache-dir <dir>', 'downloaded kernel packages and finished builds [DATA_DIR/cache/rescue]')
    .option('--kernel-package <name>', 'Debian kernel package: linux-image-amd64 (servers) or linux-image-cloud-amd64 (VMs only) [linux-image-amd64]')
    .option('--kernel-deb <file>', 'a kernel .deb already downloaded, instead of apt')
    .option('--json', 'print the build as JSON')
    .action(async (flags: RescueBuildFlags) => (await import('./rescue-build-action.ts')).rescueBuildAction(flags));
}
