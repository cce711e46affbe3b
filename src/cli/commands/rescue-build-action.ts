import { join, resolve } from 'node:path';
import { buildRescue } from '../../lab/rescue/build-rescue.ts';
import type { RescueBuildFlags } from './rescue.ts';
import { configFromFlags } from './serve-options.ts';

/** `byoi rescue build`: buildRescue() into boot.rescueDir (default DATA_DIR/rescue), then a summary. */
export async function rescueBuildAction(flags: RescueBuildFlags): Promise<void> {
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
}
