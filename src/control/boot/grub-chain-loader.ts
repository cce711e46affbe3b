import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's grub-efi-amd64-bin puts the x86_64 EFI modules here; grub-mkimage reads them. */
export const grubEfiModuleDir = '/usr/lib/grub/x86_64-efi';

/**
 * Modules built into the image: `memdisk` and `tar` hold the config, `normal` runs it with the full script
 * language (if/else), the rest read partition tables and FAT/ext filesystems, search by file, chainload an
 * EFI application and talk on the console.
 */
export const grubChainModules = [
  'memdisk', 'tar', 'normal', 'part_gpt', 'part_msdos', 'fat', 'ext2', 'search', 'search_fs_file', 'search_fs_uuid',
  'search_label', 'chain', 'echo', 'test', 'sleep', 'minicmd', 'reboot', 'halt', 'configfile', 'efi_gop', 'efi_uga',
] as const;

export interface GrubChainLoader {
  /** Whether grub-mkimage and the x86_64-efi modules are installed, i.e. whether build() can work. */
  readonly available: boolean;
  /** Why it is not available (for the console message and the log), or undefined. */
  readonly unavailableReason: string | undefined;
  /**
   * The EFI image for this embedded configuration, built on first use and then kept by content (in memory
   * and as `byoi-chain-<sha256>.efi` in the cache directory), so a restart or another server with the same
   * config reuses it. Concurrent calls for one config share one build.
   */
  build(config: string): Promise<GrubImage>;
}

export interface GrubImage {
  bytes: Buffer;
  /** sha256 of the image, hex: the strong ETag of GET /boot/grub/.../byoi-chain.efi. */
  sha256: string;
  path: string;
}

export interface GrubChainLoaderOptions {
  /** Where built images are kept (DATA_DIR/boot/grub). */
  cacheDir: string;
  /** The grub-mkimage to run; default: found on PATH. */
  tool?: string;
  moduleDir?: string;
  /** Images kept in memory (each about 600 KiB); older ones are read from disk again when asked. */
  memoryEntries?: number;
}

/** Creates the builder of byoi's GRUB EFI chain loader (see render-grub-config.ts for what it does at boot). */
export function createGrubChainLoader(options: GrubChainLoaderOptions): GrubChainLoader {
  const tool = options.tool ?? findExecutable('grub-mkimage');
  const moduleDir = options.moduleDir ?? grubEfiModuleDir;
  let unavailableReason: string | undefined;
  if (tool === undefined) unavailableReason = 'grub-mkimage is not installed (Debian package grub-common)';
  else if (!existsSync(join(moduleDir, 'normal.mod'))) unavailableReason = `no GRUB x86_64-efi modules in ${moduleDir} (Debian package grub-efi-amd64-bin)`;

  const memory = new Map<string, GrubImage>();
  const building = new Map<string, Promise<GrubImage>>();
  const memoryEntries = options.memoryEntries ?? 16;

  async function buildOnce(key: string, config: string): Promise<GrubImage> {
    const path = join(options.cacheDir, `byoi-chain-${key}.efi`);
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(path);
    } catch {
      bytes = undefined;
    }
    if (bytes === undefined) {
      await mkdir(options.cacheDir, { recursive: true, mode: 0o700 });
      const work = await mkdtemp(join(options.cacheDir, '.build-'));
      try {
        // The image holds every module it needs built in and a memdisk with only boot/grub/grub.cfg:
        // prefix=(memdisk)/boot/grub makes `normal` run that config with the full script language, and with no
        // fs.lst in the memdisk `search` probes only the built-in filesystems (grub-mkstandalone copies every
        // module list and GRUB then complains about each filesystem module it cannot find).
        await mkdir(join(work, 'memdisk', 'boot', 'grub'), { recursive: true });
        await writeFile(join(work, 'memdisk', 'boot', 'grub', 'grub.cfg'), config);
        const tarPath = join(work, 'memdisk.tar');
        await run('tar', ['--format=ustar', '--owner=0', '--group=0', '--mtime=@0', '-cf', tarPath, '-C', join(work, 'memdisk'), 'boot'], { timeout: 30_000 });
        const output = join(work, 'byoi-chain.efi');
        await run(tool as string, ['-O', 'x86_64-efi', '-d', moduleDir, '-p', '(memdisk)/boot/grub', '-m', tarPath, '-o', output, ...grubChainModules], { timeout: 60_000 });
        await rename(output, path);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      bytes = await readFile(path);
    }
    const image: GrubImage = { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), path };
    if (memory.size >= memoryEntries) memory.delete(memory.keys().next().value as string);
    memory.set(key, image);
    return image;
  }

  return {
    available: unavailableReason === undefined,
    unavailableReason,
    async build(config) {
      if (unavailableReason !== undefined) throw new Error(`Cannot build the GRUB EFI chain loader: ${unavailableReason}`);
      const key = createHash('sha256').update(grubChainModules.join(' ')).update('\0').update(config).digest('hex').slice(0, 32);
      const cached = memory.get(key);
      if (cached !== undefined) return cached;
      let pending = building.get(key);
      if (pending === undefined) {
        pending = buildOnce(key, config).finally(() => building.delete(key));
        building.set(key, pending);
      }
      return pending;
    },
  };
}

/** The first executable called `name` on PATH, or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
