import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { buildRescue } from '../../lab/rescue/build-rescue.ts';
import { configFromFlags, type StoreFlags } from './serve-options.ts';

interface RescueBuildFlags extends Pick<StoreFlags, 'config' | 'dataDir'> {
  out?: string;
  cacheDir?: string;
  kernelPackage?: string;
  kernelDeb?: string;
  json?: boolean;
}

/**
 * `byoi rescue build`: the rescue system the boot service hands to servers (kernel + initramfs with busybox,
 * Node.js and the agent), into boot.rescueDir (default DATA_DIR/rescue). Thin: options, buildRescue(), a summary.
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
    .action(async (flags: RescueBuildFlags) => {
      const config = configFromFlags({ config: flags.config, dataDir: flags.dataDir });
      const outDir = resolve(flags.out ?? config.boot.rescueDir ?? join(config.dataDir, 'rescue'));
      const cacheDir = resolve(flags.cacheDir ?? join(config.dataDir, 'cache', 'rescue'));
      const build = await buildRescue({
        outDir,
        cacheDir,
        ...(flags.kernelPackage === undefined ? {} : { kernelPackage: flags.kernelPackage }),
        ...(flags.kernelDeb === undefined ? {} : { kernelDeb: resolve(flags.kernelDeb) }),
        log: flags.json === true ? () => undefined : (line) => process.stderr.write(`byoi rescue: ${line}\n`),
      });
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(build)}\n`);
        return;
      }
      const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
      process.stdout.write(
        [
          `rescue system ${build.key.slice(0, 16)}${build.cached ? ' (cached)' : ''} in ${build.seconds} s:`,
          `  kernel   ${build.vmlinuz.path}  ${mib(build.vmlinuz.sizeBytes)}  (${build.kernel.package} ${build.kernel.version})`,
          `  initrd   ${build.initrd.path}  ${mib(build.initrd.sizeBytes)} gzip, ${mib(build.initrd.uncompressedBytes)} unpacked  (Node.js ${build.node.version}, ${build.modules.files} modules)`,
          ...(build.modules.missing.length > 0 ? [`  modules this kernel does not have: ${build.modules.missing.join(', ')}`] : []),
          '',
        ].join('\n'),
      );
    });
}
