/**
 * One member of an initramfs archive. Paths are relative, without a leading slash ("init", "usr/bin/node").
 * Directories must be listed (the kernel's unpacker creates nothing implicitly).
 */
export type CpioEntry =
  | { type: 'dir'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; data: Uint8Array }
  | { type: 'symlink'; path: string; target: string }
  /** A character device node, e.g. dev/console (5, 1): the kernel opens it for /init before anything mounts /dev. */
  | { type: 'chardev'; path: string; mode: number; major: number; minor: number };

/** cpio "new ASCII" (newc) magic: the only format the kernel's initramfs unpacker reads. */
const newcMagic = '070701';
const newcHeaderLength = 110;
const typeDir = 0o040000;
const typeFile = 0o100000;
const typeSymlink = 0o120000;
const typeCharDevice = 0o020000;

/**
 * Writes a cpio archive in the newc format (kernel Documentation/driver-api/early-userspace/buffer-format.rst)
 * reproducibly: members sorted by path (so a directory precedes what it holds), inode numbers counted from 1 in
 * that order, owner root, one link each, and every mtime set to `mtime`. Same entries, same bytes.
 *
 * Layout of a member: a 110-byte header of "070701" and 13 eight-digit hex fields (ino, mode, uid, gid, nlink,
 * mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check), the name with its NUL, padded
 * to a multiple of 4, then the data padded to a multiple of 4. The archive ends with the member "TRAILER!!!".
 *
 * @example
 * ```ts
 * const archive = writeCpioNewc([{ type: 'dir', path: 'bin', mode: 0o755 }, { type: 'file', path: 'init', mode: 0o755, data }], 0);
 * ```
 */
export function writeCpioNewc(entries: readonly CpioEntry[], mtime: number): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  const chunks: Buffer[] = [];
  let ino = 0;
  for (const entry of sorted) {
    if (entry.path === '' || entry.path.startsWith('/') || entry.path.split('/').includes('..')) {
      throw new RangeError(`Cannot add ${JSON.stringify(entry.path)} to the archive: paths are relative, without ".."`);
    }
    if (seen.has(entry.path)) throw new RangeError(`Cannot add ${entry.path} to the archive: it is listed twice`);
    seen.add(entry.path);
    const parent = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : null;
    if (parent !== null && !seen.has(parent)) throw new RangeError(`Cannot add ${entry.path} to the archive: its directory ${parent} is not listed`);
    ino++;
    const data = entry.type === 'file' ? entry.data : entry.type === 'symlink' ? Buffer.from(entry.target) : new Uint8Array(0);
    const mode =
      entry.type === 'dir'
        ? typeDir | entry.mode
        : entry.type === 'file'
          ? typeFile | entry.mode
          : entry.type === 'chardev'
            ? typeCharDevice | entry.mode
            : typeSymlink | 0o777;
    const rdev = entry.type === 'chardev' ? { rdevMajor: entry.major, rdevMinor: entry.minor } : { rdevMajor: 0, rdevMinor: 0 };
    chunks.push(member(entry.path, { ino, mode, nlink: entry.type === 'dir' ? 2 : 1, mtime, ...rdev }, data));
  }
  chunks.push(member('TRAILER!!!', { ino: 0, mode: 0, nlink: 1, mtime: 0, rdevMajor: 0, rdevMinor: 0 }, new Uint8Array(0)));
  return Buffer.concat(chunks);
}

interface MemberFields {
  ino: number;
  mode: number;
  nlink: number;
  mtime: number;
  rdevMajor: number;
  rdevMinor: number;
}

function member(name: string, fields: MemberFields, data: Uint8Array): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const hex = (value: number) => value.toString(16).padStart(8, '0');
  const header =
    newcMagic +
    hex(fields.ino) +
    hex(fields.mode) +
    hex(0) + // uid
    hex(0) + // gid
    hex(fields.nlink) +
    hex(fields.mtime) +
    hex(data.length) +
    hex(0) + // devmajor
    hex(0) + // devminor
    hex(fields.rdevMajor) +
    hex(fields.rdevMinor) +
    hex(nameBytes.length) +
    hex(0); // check (newc: always 0)
  const namePadding = pad4(newcHeaderLength + nameBytes.length);
  const dataPadding = pad4(data.length);
  return Buffer.concat([Buffer.from(header, 'ascii'), nameBytes, Buffer.alloc(namePadding), data, Buffer.alloc(dataPadding)]);
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}
