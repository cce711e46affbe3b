// The deploy benchmark's images, made once and cached under .cache/bench-deploy/ (gitignored), keyed by the
// recipe version and the size. Content is a real filesystem, not random bytes and not zeros: an ext4 filesystem
// (mkfs.ext4 -d) filled to about half with regular files copied from /usr, the rest free space, in partition 1 of
// a GPT disk (byoi's preflight wants a partition table). The qcow2 variants are made by qemu-img from that raw
// image, as an image builder would make them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bumped whenever the recipe changes, so an old cached image is never measured as a new one. */
const RECIPE = 'v1';
const MiB = 1024 * 1024;

export interface BenchImage {
  /** raw, plain (qcow2), deflate, zstd, sparse16 */
  name: string;
  type: 'raw' | 'qcow2';
  path: string;
  fileBytes: number;
  /** The guest disk's size: the file for raw, the virtual size for qcow2. */
  guestBytes: number;
  sha256: string;
}

function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MiB });
}

/** openssl, not coreutils sha256sum: the same digest, several times faster on a CPU with SHA extensions. */
function sha256Of(path: string): string {
  const cached = `${path}.sha256`;
  if (existsSync(cached) && statSync(cached).mtimeMs >= statSync(path).mtimeMs) return readFileSync(cached, 'utf8').trim();
  const digest = run('openssl', ['dgst', '-sha256', '-r', path]).split(' ')[0] ?? '';
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error(`openssl gave no sha256 for ${path}`);
  writeFileSync(cached, `${digest}\n`);
  return digest;
}

function describe(name: string, type: 'raw' | 'qcow2', path: string): BenchImage {
  const fileBytes = statSync(path).size;
  let guestBytes = fileBytes;
  if (type === 'qcow2') {
    const info = JSON.parse(run('qemu-img', ['info', '--output=json', path])) as { 'virtual-size': number };
    guestBytes = info['virtual-size'];
  }
  return { name, type, path, fileBytes, guestBytes, sha256: sha256Of(path) };
}

/**
 * Links (else copies) regular files of /usr into `staging`, in sorted order, until `targetBytes` are there or
 * /usr runs out. Links make a multi-GiB fill cost nothing; mkfs.ext4 -d only reads them.
 */
function fillFromUsr(staging: string, targetBytes: number): number {
  let total = 0;
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (total >= targetBytes) return;
      const source = join(dir, name);
      const stat = lstatSync(source);
      if (stat.isDirectory()) walk(source);
      else if (stat.isFile() && stat.size > 0 && total + stat.size <= targetBytes) {
        const target = join(staging, source);
        mkdirSync(join(target, '..'), { recursive: true });
        try {
          linkSync(source, target);
        } catch {
          copyFileSync(source, target);
        }
        total += stat.size;
      }
    }
  };
  walk('/usr');
  return total;
}

/** A GPT disk of `sizeBytes` whose partition 1 (1 MiB to the end) holds ext4 with `fillBytes` of /usr files. */
function makeRaw(path: string, sizeBytes: number, fillBytes: number, cacheDir: string): void {
  const staging = join(cacheDir, `staging-${process.pid}`);
  const partial = `${path}.partial`;
  rmSync(staging, { recursive: true, force: true });
  rmSync(partial, { force: true });
  try {
    const filled = fillFromUsr(staging, fillBytes);
    process.stdout.write(`  ${(filled / MiB).toFixed(0)} MiB of /usr files into a ${(sizeBytes / MiB).toFixed(0)} MiB ext4 disk\n`);
    run('truncate', ['-s', String(sizeBytes), partial]);
    // mkfs first: it clears the start of the file, where the GPT goes. The filesystem ends 1 MiB before the end,
    // clear of the backup GPT.
    run('mkfs.ext4', ['-q', '-F', '-L', 'bench-root', '-d', staging, '-E', `offset=${MiB}`, partial, `${(sizeBytes - 2 * MiB) / 1024}k`]);
    run('sgdisk', ['-n', '1:2048:0', '-t', '1:8300', partial]);
    renameSync(partial, path);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function qemuConvert(source: string, target: string, extra: readonly string[]): void {
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  run('qemu-img', ['convert', '-O', 'qcow2', ...extra, source, partial]);
  renameSync(partial, target);
}

/**
 * The images for one size: raw and its qcow2 conversions (plain, deflate, zstd). Each is made only when missing.
 * @param kinds which qcow2 variants are needed
 */
export function benchImages(cacheDir: string, sizeBytes: number, kinds: readonly string[]): BenchImage[] {
  mkdirSync(cacheDir, { recursive: true });
  const key = `${RECIPE}-${sizeBytes}`;
  const raw = join(cacheDir, `raw-${key}.img`);
  if (!existsSync(raw)) {
    process.stdout.write(`making ${raw}\n`);
    makeRaw(raw, sizeBytes, Math.floor(sizeBytes / 2), cacheDir);
  }
  const images = [describe('raw', 'raw', raw)];
  const variants: Record<string, string[]> = {
    plain: [],
    deflate: ['-c', '-o', 'compression_type=zlib'],
    zstd: ['-c', '-o', 'compression_type=zstd'],
  };
  for (const [name, extra] of Object.entries(variants)) {
    if (!kinds.includes(name)) continue;
    const path = join(cacheDir, `${name}-${key}.qcow2`);
    if (!existsSync(path)) {
      process.stdout.write(`making ${path}\n`);
      qemuConvert(raw, path, extra);
    }
    images.push(describe(name, 'qcow2', path));
  }
  return images;
}

/**
 * The peak-memory image: a 16 GiB virtual disk (ext4 over the whole partition, so its metadata is spread over all
 * 16 GiB, holding 1 GiB of /usr files), as a plain qcow2 of about 1 GiB. Its size is what matters, not its data.
 */
export function sparse16Image(cacheDir: string): BenchImage {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `sparse16-${RECIPE}.qcow2`);
  if (!existsSync(path)) {
    process.stdout.write(`making ${path}\n`);
    const raw = join(cacheDir, `sparse16-${RECIPE}.img`);
    makeRaw(raw, 16 * 1024 * MiB, 1024 * MiB, cacheDir);
    try {
      qemuConvert(raw, path, []);
    } finally {
      rmSync(raw, { force: true });
    }
  }
  return describe('sparse16', 'qcow2', path);
}
