import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { runTool } from '../_run-tool.ts';
import { bundleRescueAgent } from './bundle-rescue-agent.ts';
import { fetchKernelPackage, sha256File, type KernelPackage } from './fetch-kernel-package.ts';
import { listSharedLibraries } from './list-shared-libraries.ts';
import { rescueInitScript, udhcpcScript } from './rescue-init-script.ts';
import { rescueModules } from './rescue-modules.ts';
import { selectKernelModules } from './select-kernel-modules.ts';
import { writeCpioNewc, type CpioEntry } from './write-cpio-newc.ts';

export interface BuildRescueOptions {
  /** Where `vmlinuz` and `initrd.img` go: the boot service's boot.rescueDir (default DATA_DIR/rescue). */
  outDir: string;
  /** Downloaded kernel packages and finished builds, by content key. */
  cacheDir: string;
  /** Debian kernel metapackage or package. @default "linux-image-amd64" (real servers; linux-image-cloud-amd64 is smaller, for VMs) */
  kernelPackage?: string;
  /** A local kernel .deb instead of apt (air-gapped hosts). */
  kernelDeb?: string;
  /** The Node.js binary to carry. @default process.execPath */
  nodeBinary?: string;
  /** A statically linked busybox. @default /usr/bin/busybox (Debian busybox-static) */
  busybox?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One file of the build, as the manifest and `byoi rescue build --json` describe it. */
export interface RescueFile {
  path: string;
  sizeBytes: number;
  sha256: string;
}

/** What `buildRescue()` made (DATA_DIR/rescue/manifest.json holds the same). */
export interface RescueBuild {
  /** SHA-256 of every input: same key, same bytes. */
  key: string;
  /** True when the build came from the cache. */
  cached: boolean;
  kernel: { package: string; version: string; release: string };
  node: { version: string; stripped: boolean };
  busybox: string;
  modules: { files: number; builtin: string[]; missing: string[] };
  vmlinuz: RescueFile;
  initrd: RescueFile & { uncompressedBytes: number; compression: 'gzip' };
  seconds: number;
}

/** Bumped when the layout of the initramfs changes in a way the inputs below do not show. */
const builderVersion = 'byoi-rescue-1';
/** Every member of the archive gets this mtime (2025-01-01T00:00:00Z): same inputs, same archive. */
const fixedMtime = 1_735_689_600;

/**
 * Builds the byoi rescue system: Debian's kernel (from its package, never the host's), and an initramfs with
 * busybox, Node.js (this process's binary and the libraries ldd lists), the agent bundled into one file, the disk
 * and NIC modules with their dependencies, and the init of rescue-init-script.ts. The build is reproducible
 * (sorted cpio, fixed mtimes, gzip without a timestamp) and cached by a key over every input; the result is
 * installed into `outDir` atomically (the boot service never serves half a file), with manifest.json.
 *
 * @throws ByoiError BYOI_RESCUE_BUILD_FAILED, BYOI_LAB_TOOL_FAILED
 */
export async function buildRescue(options: BuildRescueOptions): Promise<RescueBuild> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const busybox = options.busybox ?? '/usr/bin/busybox';
  mkdirSync(options.cacheDir, { recursive: true });

  log('bundling the agent with esbuild');
  const agent = await bundleRescueAgent();

  let kernel: KernelPackage;
  if (options.kernelDeb !== undefined) {
    log(`using the kernel package ${options.kernelDeb}`);
    kernel = { name: 'local', version: 'local', debPath: options.kernelDeb, sha256: await sha256File(options.kernelDeb) };
  } else {
    const wanted = options.kernelPackage ?? 'linux-image-amd64';
    log(`finding ${wanted} with apt`);
    kernel = await fetchKernelPackage(wanted, join(options.cacheDir, 'debs'));
    log(`kernel package ${kernel.name} ${kernel.version}`);
  }

  if ((await listSharedLibraries(busybox)).length > 0) {
    throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `${busybox} is dynamically linked: install Debian's busybox-static` });
  }
  const libraries = await listSharedLibraries(nodeBinary);
  const canStrip = await runTool('strip', ['--version']).then(
    () => true,
    () => false,
  );
  const inputs = {
    builderVersion,
    init: sha256(rescueInitScript),
    udhcpc: sha256(udhcpcScript),
    modules: rescueModules,
    kernel: kernel.sha256,
    node: await sha256File(nodeBinary),
    stripped: canStrip,
    libraries: await Promise.all(libraries.map(async (path) => ({ path, sha256: await sha256File(path) }))),
    busybox: await sha256File(busybox),
    agent: sha256(agent.code),
    runtimeFiles: agent.runtimeFiles.map((file) => ({ path: file.path, sha256: sha256(file.data) })),
  };
  const key = sha256(JSON.stringify(inputs));
  const buildDir = join(options.cacheDir, 'builds', key);

  let build: RescueBuild;
  if (existsSync(join(buildDir, 'manifest.json')) && existsSync(join(buildDir, 'initrd.img')) && existsSync(join(buildDir, 'vmlinuz'))) {
    log(`cached build ${key.slice(0, 16)}`);
    build = { ...(JSON.parse(readFileSync(join(buildDir, 'manifest.json'), 'utf8')) as RescueBuild), cached: true };
  } else {
    build = await assemble({ key, kernel, nodeBinary, busybox, libraries, canStrip, agent, cacheDir: options.cacheDir, buildDir, log });
  }
  install(buildDir, options.outDir, build);
  build.seconds = Math.round((Date.now() - started) / 100) / 10;
  build.vmlinuz.path = join(options.outDir, 'vmlinuz');
  build.initrd.path = join(options.outDir, 'initrd.img');
  return build;
}

async function assemble(input: {
  key: string;
  kernel: KernelPackage;
  nodeBinary: string;
  busybox: string;
  libraries: string[];
  canStrip: boolean;
  agent: Awaited<ReturnType<typeof bundleRescueAgent>>;
  cacheDir: string;
  buildDir: string;
  log: (line: string) => void;
}): Promise<RescueBuild> {
  const { log } = input;
  const work = mkdtempSync(join(input.cacheDir, '.work-'));
  try {
    log('extracting the kernel package');
    const kernelRoot = join(work, 'kernel');
    await runTool('dpkg-deb', ['-x', input.kernel.debPath, kernelRoot]);
    const releases = readdirSync(join(kernelRoot, 'lib', 'modules'));
    if (releases.length !== 1) throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `the kernel package holds ${releases.length} module trees, expected one` });
    const release = releases[0] as string;
    const vmlinuz = join(kernelRoot, 'boot', `vmlinuz-${release}`);
    if (!existsSync(vmlinuz)) throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `the kernel package has no boot/vmlinuz-${release}` });
    const config = readFileSync(join(kernelRoot, 'boot', `config-${release}`), 'utf8');
    if (!/^CONFIG_RD_GZIP=y$/m.test(config) || !/^CONFIG_BLK_DEV_INITRD=y$/m.test(config)) {
      throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `kernel ${release} cannot unpack a gzip initramfs` });
    }

    // depmod over the whole package gives the dependencies; the selection keeps what the rescue needs.
    log(`selecting modules of ${release}`);
    await runTool(input.busybox, ['depmod', '-b', kernelRoot, release]);
    const modulesDir = join(kernelRoot, 'lib', 'modules', release);
    const selection = selectKernelModules(
      readFileSync(join(modulesDir, 'modules.dep'), 'utf8'),
      existsSync(join(modulesDir, 'modules.builtin')) ? readFileSync(join(modulesDir, 'modules.builtin'), 'utf8') : '',
      rescueModules,
    );
    if (!selection.files.some((f) => f.endsWith('/virtio_net.ko')) && !selection.builtin.includes('virtio_net')) {
      throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `kernel ${release} has no virtio_net: not a Debian amd64 kernel?` });
    }
    // The kept modules, staged, and depmod again: modules.dep and modules.alias of exactly those.
    const stage = join(work, 'stage');
    const stagedModules = join(stage, 'lib', 'modules', release);
    for (const file of selection.files) {
      mkdirSync(dirname(join(stagedModules, file)), { recursive: true });
      copyFileSync(join(modulesDir, file), join(stagedModules, file));
    }
    for (const name of ['modules.builtin', 'modules.order']) {
      if (existsSync(join(modulesDir, name))) copyFileSync(join(modulesDir, name), join(stagedModules, name));
    }
    await runTool(input.busybox, ['depmod', '-b', stage, release]);

    let nodeFile = input.nodeBinary;
    if (input.canStrip) {
      nodeFile = join(work, 'node');
      await runTool('strip', ['--strip-debug', '-o', nodeFile, input.nodeBinary]);
    }
    const nodeVersion = (await runTool(input.nodeBinary, ['--version'])).stdout.trim();
    const busyboxVersion = (await runTool(input.busybox, ['--help']).catch(() => ({ stdout: '', stderr: '' }))).stdout.split('\n')[0] ?? '';
    const applets = (await runTool(input.busybox, ['--list'])).stdout.split('\n').filter((name) => /^[a-z0-9_.[-]+$/.test(name) && name !== 'busybox');

    log('writing the initramfs');
    const files = new Map<string, CpioEntry>();
    const addDirs = (path: string) => {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (!files.has(dir)) files.set(dir, { type: 'dir', path: dir, mode: 0o755 });
      }
    };
    const addFile = (path: string, data: Uint8Array, mode = 0o644) => {
      addDirs(path);
      files.set(path, { type: 'file', path, mode, data });
    };
    for (const dir of ['dev', 'proc', 'sys', 'run', 'tmp', 'root', 'mnt', 'sbin', 'usr/sbin']) {
      addDirs(`${dir}/x`);
      files.set(dir, { type: 'dir', path: dir, mode: dir === 'tmp' ? 0o1777 : dir === 'root' ? 0o700 : 0o755 });
    }
    files.set('dev/console', { type: 'chardev', path: 'dev/console', mode: 0o600, major: 5, minor: 1 });
    addFile('init', Buffer.from(rescueInitScript), 0o755);
    addFile('etc/udhcpc/default.script', Buffer.from(udhcpcScript), 0o755);
    addFile('etc/passwd', Buffer.from('root:x:0:0:root:/root:/bin/sh\n'));
    addFile('etc/group', Buffer.from('root:x:0:\ntty:x:5:\n'));
    addFile('etc/hostname', Buffer.from('byoi-rescue\n'));
    addFile('etc/profile', Buffer.from('export PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1="byoi-rescue# "\n'));
    addFile('etc/os-release', Buffer.from(`NAME="byoi rescue"\nID=byoi-rescue\nVERSION_ID="${input.key.slice(0, 12)}"\nPRETTY_NAME="byoi rescue (${release}, Node.js ${nodeVersion})"\n`));
    addFile('bin/busybox', readFileSync(input.busybox), 0o755);
    for (const applet of applets) {
      if (!files.has(`bin/${applet}`)) files.set(`bin/${applet}`, { type: 'symlink', path: `bin/${applet}`, target: 'busybox' });
    }
    addFile('usr/bin/node', readFileSync(nodeFile), 0o755);
    for (const library of input.libraries) addFile(library.replace(/^\/+/, ''), readFileSync(library), 0o755);
    addFile('opt/byoi/agent.mjs', input.agent.code);
    for (const file of input.agent.runtimeFiles) addFile(`opt/byoi/node_modules/${file.path}`, file.data);
    for (const file of selection.files) addFile(`lib/modules/${release}/${file}`, readFileSync(join(stagedModules, file)));
    for (const name of readdirSync(stagedModules).filter((n) => n.startsWith('modules.')).sort()) {
      // depmod writes in directory order: sorted lines make the files (and the archive) reproducible.
      const text = readFileSync(join(stagedModules, name), 'utf8');
      const sorted = name === 'modules.order' ? text : `${text.split('\n').filter((l) => l !== '').sort().join('\n')}\n`;
      addFile(`lib/modules/${release}/${name}`, Buffer.from(sorted));
    }
    const archive = writeCpioNewc([...files.values()], fixedMtime);
    log(`compressing ${(archive.length / 1048576).toFixed(1)} MiB`);
    const initrd = gzipSync(archive, { level: 6 });

    const done = join(work, 'done');
    mkdirSync(done);
    copyFileSync(vmlinuz, join(done, 'vmlinuz'));
    writeFileSync(join(done, 'initrd.img'), initrd);
    const build: RescueBuild = {
      key: input.key,
      cached: false,
      kernel: { package: input.kernel.name, version: input.kernel.version, release },
      node: { version: nodeVersion, stripped: input.canStrip },
      busybox: busyboxVersion.trim(),
      modules: { files: selection.files.length, builtin: selection.builtin, missing: selection.missing },
      vmlinuz: { path: 'vmlinuz', sizeBytes: readFileSync(vmlinuz).length, sha256: await sha256File(vmlinuz) },
      initrd: { path: 'initrd.img', sizeBytes: initrd.length, sha256: sha256(initrd), uncompressedBytes: archive.length, compression: 'gzip' },
      seconds: 0,
    };
    writeFileSync(join(done, 'manifest.json'), `${JSON.stringify(build, null, 2)}\n`);
    rmSync(input.buildDir, { recursive: true, force: true });
    mkdirSync(dirname(input.buildDir), { recursive: true });
    renameSync(done, input.buildDir);
    return build;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Copies the build into the boot service's directory: each file written beside its target, then renamed over it. */
function install(buildDir: string, outDir: string, build: RescueBuild): void {
  mkdirSync(outDir, { recursive: true });
  for (const name of ['initrd.img', 'vmlinuz']) {
    const temporary = join(outDir, `.${name}.${process.pid}`);
    copyFileSync(join(buildDir, name), temporary);
    renameSync(temporary, join(outDir, name));
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify({ ...build, cached: undefined, seconds: undefined }, null, 2)}\n`);
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
