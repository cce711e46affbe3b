// Builds FAT images with the real tools (mkfs.vfat, mtools) and reads them back with the same tools, so each
// test compares byoi's reader with an independent one. Images are small sparse files in a temporary directory.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { run, runStatus } from '../../../helpers/tools.ts';
import { checkRange, type ReadAt } from '../../../../src/image/read-at.ts';

// mtools checks that the geometry matches a floppy or disk it knows; images made by mkfs.vfat need not.
process.env.MTOOLS_SKIP_CHECK = '1';

export const FAT_TOOLS = ['mkfs.vfat', 'fsck.vfat', 'mdir', 'mcopy', 'mmd', 'mtype', 'mdel'];

export interface FatImageOptions {
  fatBits: 12 | 16 | 32;
  sizeKiB: number;
  label?: string;
  sectorsPerCluster?: number;
  /** Where the volume starts in the file, in 512-byte sectors (mkfs.vfat --offset); the file grows to hold it. */
  offsetSectors?: number;
}

/** Makes a FAT image with mkfs.vfat and returns its path. */
export function makeFatImage(dir: string, name: string, options: FatImageOptions): string {
  const path = join(dir, name);
  const offsetSectors = options.offsetSectors ?? 0;
  run('truncate', ['-s', `${options.sizeKiB * 1024 + offsetSectors * 512}`, path]);
  const args = ['-F', String(options.fatBits)];
  if (options.label !== undefined) args.push('-n', options.label);
  if (options.sectorsPerCluster !== undefined) args.push('-s', String(options.sectorsPerCluster));
  if (offsetSectors !== 0) args.push('--offset', String(offsetSectors));
  args.push(path);
  if (offsetSectors !== 0) args.push(String(options.sizeKiB));
  run('mkfs.vfat', args);
  return path;
}

/** The mtools drive spelling of an image with a volume at `offset` bytes. */
export function mtoolsImage(image: string, offset = 0): string {
  return offset === 0 ? image : `${image}@@${offset}`;
}

/** Creates directories (parents first) in the image. */
export function mkdirs(image: string, paths: readonly string[], offset = 0): void {
  if (paths.length === 0) return;
  run('mmd', ['-i', mtoolsImage(image, offset), ...paths.map((p) => `::${toSlash(p)}`)]);
}

/** Writes `bytes` to a FAT path ("\EFI\BOOT\BOOTX64.EFI") through a temporary local file. */
export function putFile(image: string, fatPath: string, bytes: Uint8Array, scratchDir: string, offset = 0): void {
  const local = join(scratchDir, 'put.tmp');
  writeFileSync(local, bytes);
  run('mcopy', ['-o', '-i', mtoolsImage(image, offset), local, `::${toSlash(fatPath)}`]);
}

/** Deletes a file with mdel. */
export function deleteFile(image: string, fatPath: string, offset = 0): void {
  run('mdel', ['-i', mtoolsImage(image, offset), `::${toSlash(fatPath)}`]);
}

/** Every path of the image as `mdir -/ -b -a` lists it, in byoi's backslash spelling, sorted. */
export function mdirPaths(image: string, offset = 0): string[] {
  const result = runStatus('mdir', ['-/', '-b', '-a', '-i', mtoolsImage(image, offset), '::']);
  if (result.status !== 0 && result.stdout.trim() === '') return []; // mdir fails on an empty root
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('::/'))
    .map((line) => line.slice(2).replace(/\/$/, '').replaceAll('/', '\\'))
    .sort();
}

/** A file's bytes as `mtype` prints them. */
export function mtypeBytes(image: string, fatPath: string, offset = 0): Uint8Array {
  return new Uint8Array(execFileSync('mtype', ['-i', mtoolsImage(image, offset), `::${toSlash(fatPath)}`], { maxBuffer: 64 * 1024 * 1024 }));
}

/** `fsck.vfat -n -v` facts: FAT width, data clusters and where the data area starts. */
export function fsckFacts(image: string): { fatBits: number; clusters: number; dataStart: number; clean: boolean } {
  const result = runStatus('fsck.vfat', ['-n', '-v', image]);
  const text = result.stdout;
  const bits = /(\d+) bit entries/.exec(text);
  const clusters = /(\d+) data clusters/.exec(text);
  const data = /Data area starts at byte (\d+)/.exec(text);
  return {
    fatBits: Number(bits?.[1]),
    clusters: Number(clusters?.[1]),
    dataStart: Number(data?.[1]),
    clean: result.status === 0,
  };
}

/** The image file as a ReadAt that reads the file at each call (images are sparse; nothing is loaded whole). */
export function loadImage(image: string): ReadAt {
  const size = statSync(image).size;
  return {
    size,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, 'image');
      const bytes = new Uint8Array(length);
      const fd = openSync(image, 'r');
      try {
        let done = 0;
        while (done < length) {
          const n = readSync(fd, bytes, done, length - done, offset + done);
          if (n === 0) throw new Error(`short read of ${image}`);
          done += n;
        }
      } finally {
        closeSync(fd);
      }
      return bytes;
    },
  };
}

/** Writes `bytes` into the file at `offset`, leaving the rest (and its holes) alone. */
export function patchFile(image: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(image, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Random contents, so that bytes read from the wrong clusters cannot pass for the file. */
export function someBytes(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

function toSlash(path: string): string {
  const slashed = path.replaceAll('\\', '/');
  return slashed.startsWith('/') ? slashed : `/${slashed}`;
}
