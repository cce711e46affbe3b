import type { ConfigDriveFile } from './config-drive-file.ts';
import type { Extent, FilesystemImage } from './filesystem-image.ts';
import { buildFileTree, type DirectoryNode } from './_file-tree.ts';
import { configDriveError } from './_config-drive-error.ts';
import { makeIsoIdentifier } from './iso9660/make-iso-identifier.ts';
import { ceEntry, ceEntryBytes, erEntry, nmEntries, pxEntry, spEntry, tfEntry } from './iso9660/encode-susp-entries.ts';
import { directoryRecordLength, encodeDirectoryRecord, maxRecordBytes } from './iso9660/encode-directory-record.ts';
import { encodePathTable, pathTableBytes, type PathTableEntry } from './iso9660/encode-path-table.ts';
import {
  encodeVolumeDescriptor,
  encodeVolumeDescriptorSetTerminator,
  isoBlockBytes,
  PRIMARY_VOLUME_DESCRIPTOR,
  SUPPLEMENTARY_VOLUME_DESCRIPTOR,
} from './iso9660/encode-volume-descriptor.ts';
import { encodeRecordDateTime, encodeVolumeDateTime, unspecifiedVolumeDateTime } from './iso9660/iso-date-time.ts';

export interface Iso9660Options {
  /** Volume identifier (the label blkid reports): 1 to 16 printable ASCII characters, written as given. */
  volumeId: string;
  /** Recording time of every record and the volume's creation and modification time. */
  timestamp: Date;
}

/** An ISO 9660 volume as extents; `sizeBytes` is its Volume Space Size in bytes. */
export interface Iso9660Image extends FilesystemImage {
  blockCount: number;
}

/** ECMA-119 6.2.1: logical sectors 0 to 15 are the System Area; volume descriptors start at sector 16. */
const firstDescriptorBlock = 16;
/** ECMA-119 6.8.2.1: at most 8 levels of directories, the root being level 1. */
const maxDirectoryLevels = 8;
/** Joliet names hold at most 64 UCS-2 characters (the Joliet specification's limit). */
const maxJolietNameUnits = 64;
/** Linux (NAME_MAX) and libisofs read Rock Ridge names of at most 255 bytes. */
const maxRockRidgeNameBytes = 255;
/** Characters Joliet forbids in names, besides U+0000 to U+001F. */
const jolietForbidden = '*/:;?\\';
/** POSIX modes in PX: read-only files and directories (a config drive is never written to). */
const fileMode = 0o100444;
const directoryMode = 0o040555;
const systemId = 'LINUX';
const applicationId = 'BYOI CONFIG DRIVE';

interface IsoFile {
  kind: 'file';
  name: string;
  bytes: Uint8Array;
  isoId: string;
  extentBlock: number;
}

interface IsoDirectory {
  kind: 'directory';
  name: string;
  parent: IsoDirectory | null;
  /** Children in primary order (ECMA-119 9.3) and in Joliet order. */
  children: (IsoFile | IsoDirectory)[];
  jolietChildren: (IsoFile | IsoDirectory)[];
  isoId: string;
  subdirectoryCount: number;
  primary: HierarchyPlace;
  joliet: HierarchyPlace;
  /** Primary records ("." and ".." first) with their System Use entries. */
  records: RecordPlan[];
}

interface HierarchyPlace {
  extentBlock: number;
  sizeBytes: number;
}

interface RecordPlan {
  target: IsoFile | IsoDirectory;
  identifier: Uint8Array;
  inline: Uint8Array[];
  /** Entries moved to a continuation area (SUSP CE), empty when everything fits in the record. */
  continuation: Uint8Array[];
  continuationBlock: number;
  continuationOffset: number;
}

/**
 * Builds an ISO 9660 volume holding `files`: level 1 names in the primary hierarchy with Rock Ridge (SUSP SP/ER,
 * RRIP PX, TF, NM) for the real names, a Joliet supplementary hierarchy (UCS-2BE names), L and M path tables for
 * each. Layout and choices in FORMAT.md. Nothing is written: the result is the list of non-zero extents.
 * Throws BYOI_CONFIGDRIVE_FAILED with a detail when a name or the volume identifier cannot be written.
 *
 * @example
 * ```ts
 * const image = writeIso9660([{ path: 'openstack/latest/meta_data.json', bytes }], { volumeId: 'config-2', timestamp: new Date() });
 * image.sizeBytes; // a multiple of 2048
 * ```
 */
export function writeIso9660(files: readonly ConfigDriveFile[], options: Iso9660Options): Iso9660Image {
  checkVolumeId(options.volumeId);
  const year = options.timestamp.getUTCFullYear();
  if (!Number.isFinite(year) || year < 1900 || year > 2155) {
    throw configDriveError('Cannot stamp ISO 9660 records: the timestamp must be a date in the years 1900 to 2155');
  }
  const recorded = encodeRecordDateTime(options.timestamp);
  const root = toIsoDirectory(buildFileTree(files), null, '', 1);
  const primaryOrder = breadthFirst(root, (directory) => directory.children);
  const jolietOrder = breadthFirst(root, (directory) => directory.jolietChildren);
  planPrimaryDirectories(primaryOrder, recorded);
  sizeJolietDirectories(jolietOrder);
  const layout = placeBlocks(primaryOrder, jolietOrder);

  const primaryTable = primaryPathTable(primaryOrder);
  const jolietTable = jolietPathTable(jolietOrder);
  const descriptorFields = {
    systemId,
    volumeId: options.volumeId,
    applicationId,
    volumeSpaceBlocks: layout.blockCount,
    created: encodeVolumeDateTime(options.timestamp),
    unspecified: unspecifiedVolumeDateTime(),
  };
  const descriptors = new Uint8Array(3 * isoBlockBytes);
  descriptors.set(
    encodeVolumeDescriptor({
      ...descriptorFields,
      type: PRIMARY_VOLUME_DESCRIPTOR,
      pathTableBytes: pathTableBytes(primaryTable),
      typeLPathTableBlock: layout.primaryTypeL,
      typeMPathTableBlock: layout.primaryTypeM,
      rootRecord: rootRecord(root.primary, recorded),
    }),
    0,
  );
  descriptors.set(
    encodeVolumeDescriptor({
      ...descriptorFields,
      type: SUPPLEMENTARY_VOLUME_DESCRIPTOR,
      pathTableBytes: pathTableBytes(jolietTable),
      typeLPathTableBlock: layout.jolietTypeL,
      typeMPathTableBlock: layout.jolietTypeM,
      rootRecord: rootRecord(root.joliet, recorded),
    }),
    isoBlockBytes,
  );
  descriptors.set(encodeVolumeDescriptorSetTerminator(), 2 * isoBlockBytes);

  const extents: Extent[] = [
    { offset: firstDescriptorBlock * isoBlockBytes, bytes: descriptors },
    { offset: layout.primaryTypeL * isoBlockBytes, bytes: encodePathTable(primaryTable, 'L') },
    { offset: layout.primaryTypeM * isoBlockBytes, bytes: encodePathTable(primaryTable, 'M') },
    { offset: layout.jolietTypeL * isoBlockBytes, bytes: encodePathTable(jolietTable, 'L') },
    { offset: layout.jolietTypeM * isoBlockBytes, bytes: encodePathTable(jolietTable, 'M') },
  ];
  const continuation = new Uint8Array(layout.continuationBlocks * isoBlockBytes);
  for (const directory of primaryOrder) {
    const bytes = encodePrimaryDirectory(directory, recorded, continuation, layout.continuationStart);
    extents.push({ offset: directory.primary.extentBlock * isoBlockBytes, bytes });
  }
  for (const directory of jolietOrder) {
    extents.push({ offset: directory.joliet.extentBlock * isoBlockBytes, bytes: encodeJolietDirectory(directory, recorded) });
  }
  if (layout.continuationBlocks > 0) extents.push({ offset: layout.continuationStart * isoBlockBytes, bytes: continuation });
  for (const directory of primaryOrder) {
    for (const child of directory.children) {
      if (child.kind === 'file' && child.bytes.length > 0) extents.push({ offset: child.extentBlock * isoBlockBytes, bytes: child.bytes });
    }
  }
  extents.sort((a, b) => a.offset - b.offset);
  return { sizeBytes: layout.blockCount * isoBlockBytes, blockCount: layout.blockCount, extents };
}

/** Where the volume's parts start, in blocks. */
interface BlockLayout {
  primaryTypeL: number;
  primaryTypeM: number;
  jolietTypeL: number;
  jolietTypeM: number;
  continuationStart: number;
  continuationBlocks: number;
  blockCount: number;
}

/**
 * Plans each primary directory's records: "." and ".." with PX and TF (the root's "." also SP first and ER),
 * then each child with PX, TF and NM; sets the directory's size.
 */
function planPrimaryDirectories(primaryOrder: readonly IsoDirectory[], recorded: Uint8Array): void {
  const encoder = new TextEncoder();
  for (const directory of primaryOrder) {
    const parent = directory.parent ?? directory;
    const self = [pxEntry(directoryMode, 2 + directory.subdirectoryCount), tfEntry(recorded)];
    directory.records.push(
      planRecord(directory, Uint8Array.of(0), directory.parent === null ? [spEntry(), ...self, erEntry()] : self),
      planRecord(parent, Uint8Array.of(1), [pxEntry(directoryMode, 2 + parent.subdirectoryCount), tfEntry(recorded)]),
    );
    for (const child of directory.children) {
      const px = child.kind === 'file' ? pxEntry(fileMode, 1) : pxEntry(directoryMode, 2 + child.subdirectoryCount);
      const entries = [px, tfEntry(recorded), ...nmEntries(encoder.encode(child.name))];
      directory.records.push(planRecord(child, ascii(child.isoId), entries));
    }
    directory.primary.sizeBytes = directoryBytes(directory.records.map((record) => recordLength(record)));
  }
}

/** Sets each Joliet directory's size: "." and "..", then one record per child, no System Use. */
function sizeJolietDirectories(jolietOrder: readonly IsoDirectory[]): void {
  for (const directory of jolietOrder) {
    const lengths = [directoryRecordLength(1, 0), directoryRecordLength(1, 0)];
    for (const child of directory.jolietChildren) lengths.push(directoryRecordLength(jolietIdentifier(child).length, 0));
    directory.joliet.sizeBytes = directoryBytes(lengths);
  }
}

/**
 * Gives every part its blocks, in order: path tables (primary L, M, Joliet L, M), primary directories, Joliet
 * directories, continuation areas, file data. Empty files keep block 0: no byte of them is ever read.
 */
function placeBlocks(primaryOrder: readonly IsoDirectory[], jolietOrder: readonly IsoDirectory[]): BlockLayout {
  const primaryTableBlocks = blocksFor(pathTableBytes(primaryPathTable(primaryOrder)));
  const jolietTableBlocks = blocksFor(pathTableBytes(jolietPathTable(jolietOrder)));
  let block = firstDescriptorBlock + 3;
  const primaryTypeL = block;
  block += primaryTableBlocks;
  const primaryTypeM = block;
  block += primaryTableBlocks;
  const jolietTypeL = block;
  block += jolietTableBlocks;
  const jolietTypeM = block;
  block += jolietTableBlocks;
  for (const directory of primaryOrder) {
    directory.primary.extentBlock = block;
    block += directory.primary.sizeBytes / isoBlockBytes;
  }
  for (const directory of jolietOrder) {
    directory.joliet.extentBlock = block;
    block += directory.joliet.sizeBytes / isoBlockBytes;
  }
  // SUSP 5.1: a continuation area lies inside one logical block; areas are packed into consecutive blocks.
  const continuationStart = block;
  let offset = 0;
  for (const directory of primaryOrder) {
    for (const record of directory.records) {
      const length = byteLength(record.continuation);
      if (length === 0) continue;
      if (offset + length > isoBlockBytes) {
        block++;
        offset = 0;
      }
      record.continuationBlock = block;
      record.continuationOffset = offset;
      offset += length;
    }
  }
  if (offset > 0) block++;
  const continuationBlocks = block - continuationStart;
  for (const directory of primaryOrder) {
    for (const child of directory.children) {
      if (child.kind !== 'file' || child.bytes.length === 0) continue;
      child.extentBlock = block;
      block += blocksFor(child.bytes.length);
    }
  }
  return { primaryTypeL, primaryTypeM, jolietTypeL, jolietTypeM, continuationStart, continuationBlocks, blockCount: block };
}

/** Encodes a primary directory; entries that overflow a record go into `continuation` (blocks from `continuationStart`). */
function encodePrimaryDirectory(directory: IsoDirectory, recorded: Uint8Array, continuation: Uint8Array, continuationStart: number): Uint8Array {
  const records = directory.records.map((record) => {
    const systemUse = [...record.inline];
    if (record.continuation.length > 0) {
      systemUse.push(ceEntry(record.continuationBlock, record.continuationOffset, byteLength(record.continuation)));
      continuation.set(concat(record.continuation), (record.continuationBlock - continuationStart) * isoBlockBytes + record.continuationOffset);
    }
    return { identifier: record.identifier, target: record.target, systemUse: concat(systemUse) };
  });
  const bytes = new Uint8Array(directory.primary.sizeBytes);
  encodeDirectory(bytes, records, (target) => (target.kind === 'file' ? fileExtent(target) : target.primary), recorded);
  return bytes;
}

function encodeJolietDirectory(directory: IsoDirectory, recorded: Uint8Array): Uint8Array {
  const none = new Uint8Array(0);
  const records: RecordToEncode[] = [
    { identifier: Uint8Array.of(0), target: directory, systemUse: none },
    { identifier: Uint8Array.of(1), target: directory.parent ?? directory, systemUse: none },
  ];
  for (const child of directory.jolietChildren) records.push({ identifier: jolietIdentifier(child), target: child, systemUse: none });
  const bytes = new Uint8Array(directory.joliet.sizeBytes);
  encodeDirectory(bytes, records, (target) => (target.kind === 'file' ? fileExtent(target) : target.joliet), recorded);
  return bytes;
}

/** The 34-byte root directory record of a volume descriptor. */
function rootRecord(place: HierarchyPlace, recorded: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(directoryRecordLength(1, 0));
  encodeDirectoryRecord(bytes, 0, {
    identifier: Uint8Array.of(0),
    extentBlock: place.extentBlock,
    dataLength: place.sizeBytes,
    isDirectory: true,
    recorded,
    systemUse: new Uint8Array(0),
  });
  return bytes;
}

function fileExtent(file: IsoFile): HierarchyPlace {
  return { extentBlock: file.extentBlock, sizeBytes: file.bytes.length };
}

interface RecordToEncode {
  identifier: Uint8Array;
  target: IsoFile | IsoDirectory;
  systemUse: Uint8Array;
}

/** Writes records in order; a record that would cross a block boundary starts the next block (ECMA-119 6.8.1.1). */
function encodeDirectory(
  bytes: Uint8Array,
  records: readonly RecordToEncode[],
  locate: (target: IsoFile | IsoDirectory) => HierarchyPlace,
  recorded: Uint8Array,
): void {
  let at = 0;
  for (const record of records) {
    const length = directoryRecordLength(record.identifier.length, record.systemUse.length);
    if ((at % isoBlockBytes) + length > isoBlockBytes) at += isoBlockBytes - (at % isoBlockBytes);
    const place = locate(record.target);
    at += encodeDirectoryRecord(bytes, at, {
      identifier: record.identifier,
      extentBlock: place.extentBlock,
      dataLength: place.sizeBytes,
      isDirectory: record.target.kind === 'directory',
      recorded,
      systemUse: record.systemUse,
    });
  }
}

/** Bytes a directory takes: records packed without crossing blocks, rounded up to whole blocks. */
function directoryBytes(recordLengths: readonly number[]): number {
  let at = 0;
  for (const length of recordLengths) {
    if ((at % isoBlockBytes) + length > isoBlockBytes) at += isoBlockBytes - (at % isoBlockBytes);
    at += length;
  }
  return blocksFor(at) * isoBlockBytes;
}

/**
 * Puts as many System Use entries in the record as fit within 255 bytes; when some do not, keeps room for a CE
 * entry and moves the rest to a continuation area.
 */
function planRecord(target: IsoFile | IsoDirectory, identifier: Uint8Array, entries: Uint8Array[]): RecordPlan {
  const plan: RecordPlan = { target, identifier, inline: entries, continuation: [], continuationBlock: 0, continuationOffset: 0 };
  if (directoryRecordLength(identifier.length, byteLength(entries)) <= maxRecordBytes) return plan;
  // Keep the total even-padded record within 255 bytes with the CE entry added.
  const room = maxRecordBytes - 1 - directoryRecordLength(identifier.length, 0) - ceEntryBytes;
  let used = 0;
  let split = 0;
  while (split < entries.length && used + (entries[split] as Uint8Array).length <= room) {
    used += (entries[split] as Uint8Array).length;
    split++;
  }
  plan.inline = entries.slice(0, split);
  plan.continuation = entries.slice(split);
  if (byteLength(plan.continuation) > isoBlockBytes) {
    throw configDriveError('Cannot write an ISO 9660 record: its Rock Ridge entries exceed one continuation block');
  }
  return plan;
}

function recordLength(record: RecordPlan): number {
  const systemUse = byteLength(record.inline) + (record.continuation.length > 0 ? ceEntryBytes : 0);
  return directoryRecordLength(record.identifier.length, systemUse);
}

/** Converts a tree directory: checks names, makes level 1 identifiers, sorts both hierarchies. */
function toIsoDirectory(node: DirectoryNode, parent: IsoDirectory | null, path: string, level: number): IsoDirectory {
  if (level > maxDirectoryLevels) {
    throw configDriveError(`Cannot store "${path}" on ISO 9660: directories nest at most ${maxDirectoryLevels} levels deep`);
  }
  const directory: IsoDirectory = {
    kind: 'directory',
    name: node.name,
    parent,
    children: [],
    jolietChildren: [],
    isoId: '',
    subdirectoryCount: 0,
    primary: { extentBlock: 0, sizeBytes: 0 },
    joliet: { extentBlock: 0, sizeBytes: 0 },
    records: [],
  };
  const taken = new Set<string>();
  for (const child of node.children) {
    const childPath = path === '' ? child.name : `${path}/${child.name}`;
    checkName(child.name, childPath);
    const isoId = makeIsoIdentifier(child.name, child.kind === 'directory', taken);
    if (child.kind === 'file') {
      if (child.bytes.length > 0xffffffff) {
        throw configDriveError(`Cannot store "${childPath}" on ISO 9660: a single extent holds at most 4 GiB - 1`);
      }
      directory.children.push({ kind: 'file', name: child.name, bytes: child.bytes, isoId, extentBlock: 0 });
    } else {
      const sub = toIsoDirectory(child, directory, childPath, level + 1);
      sub.isoId = isoId;
      directory.children.push(sub);
      directory.subdirectoryCount++;
    }
  }
  directory.jolietChildren = [...directory.children].sort((a, b) => compareIdentifiers(jolietText(a), jolietText(b)));
  directory.children.sort((a, b) => compareIdentifiers(a.isoId, b.isoId));
  return directory;
}

/**
 * ECMA-119 9.3 order of records: by name part padded with spaces, then extension part padded with spaces, then
 * version (higher first). Path tables order directories the same way within a parent.
 */
function compareIdentifiers(a: string, b: string): number {
  const [nameA, extensionA, versionA] = splitIdentifier(a);
  const [nameB, extensionB, versionB] = splitIdentifier(b);
  return comparePadded(nameA, nameB) || comparePadded(extensionA, extensionB) || versionB - versionA;
}

function splitIdentifier(identifier: string): [string, string, number] {
  const semicolon = identifier.lastIndexOf(';');
  const withoutVersion = semicolon < 0 ? identifier : identifier.slice(0, semicolon);
  const version = semicolon < 0 ? 0 : Number(identifier.slice(semicolon + 1));
  const dot = withoutVersion.lastIndexOf('.');
  return dot < 0 ? [withoutVersion, '', version] : [withoutVersion.slice(0, dot), withoutVersion.slice(dot + 1), version];
}

function comparePadded(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : 0x20;
    const cb = i < b.length ? b.charCodeAt(i) : 0x20;
    if (ca !== cb) return ca - cb;
  }
  return 0;
}

/** Joliet file names carry the ";1" version like ECMA-119 ones; Linux and libisofs strip it when reading. */
function jolietText(node: IsoFile | IsoDirectory): string {
  return node.kind === 'file' ? `${node.name};1` : node.name;
}

function jolietIdentifier(node: IsoFile | IsoDirectory): Uint8Array {
  return ucs2(jolietText(node));
}

/** Directories in path table order: level by level, each parent's subdirectories in its sort order (ECMA-119 6.9.1). */
function breadthFirst(root: IsoDirectory, childrenOf: (directory: IsoDirectory) => (IsoFile | IsoDirectory)[]): IsoDirectory[] {
  const order: IsoDirectory[] = [root];
  for (let i = 0; i < order.length; i++) {
    for (const child of childrenOf(order[i] as IsoDirectory)) if (child.kind === 'directory') order.push(child);
  }
  return order;
}

function primaryPathTable(order: readonly IsoDirectory[]): PathTableEntry[] {
  return pathTable(order, (directory) => ascii(directory.isoId), (directory) => directory.primary.extentBlock);
}

function jolietPathTable(order: readonly IsoDirectory[]): PathTableEntry[] {
  return pathTable(order, (directory) => ucs2(directory.name), (directory) => directory.joliet.extentBlock);
}

/** Path table entries in `order`; the root's identifier is a single 0x00 and it is its own parent (number 1). */
function pathTable(
  order: readonly IsoDirectory[],
  identifier: (directory: IsoDirectory) => Uint8Array,
  block: (directory: IsoDirectory) => number,
): PathTableEntry[] {
  const numbers = new Map<IsoDirectory, number>();
  order.forEach((directory, index) => numbers.set(directory, index + 1));
  return order.map((directory) => ({
    identifier: directory.parent === null ? Uint8Array.of(0) : identifier(directory),
    extentBlock: block(directory),
    parentNumber: numbers.get(directory.parent ?? directory) ?? 1,
  }));
}

function checkName(name: string, path: string): void {
  if (name.length > maxJolietNameUnits) {
    throw configDriveError(`Cannot store "${path}" on ISO 9660: Joliet names hold at most ${maxJolietNameUnits} UTF-16 units`);
  }
  if (new TextEncoder().encode(name).length > maxRockRidgeNameBytes) {
    throw configDriveError(`Cannot store "${path}" on ISO 9660: Rock Ridge names hold at most ${maxRockRidgeNameBytes} UTF-8 bytes`);
  }
  for (const char of name) {
    if ((char.codePointAt(0) ?? 0) < 0x20 || jolietForbidden.includes(char)) {
      throw configDriveError(`Cannot store "${path}" on ISO 9660: the name holds ${JSON.stringify(char)}, which Joliet names cannot`);
    }
  }
  // Linux and libisofs drop trailing periods from Joliet names (as Windows does), so such a name would change.
  if (name.endsWith('.')) {
    throw configDriveError(`Cannot store "${path}" on ISO 9660: Joliet readers drop a trailing period`);
  }
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) {
    throw configDriveError(`Cannot store "${path}" on ISO 9660: the name is not valid UTF-16 (lone surrogate)`);
  }
}

function checkVolumeId(volumeId: string): void {
  if (!/^[\x20-\x7e]{1,16}$/.test(volumeId)) {
    throw configDriveError(`Cannot use volume identifier "${volumeId}": it must be 1 to 16 printable ASCII characters (the Joliet limit)`);
  }
}

function blocksFor(bytes: number): number {
  return Math.ceil(bytes / isoBlockBytes);
}

function byteLength(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(byteLength(parts));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

function ascii(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** UCS-2 big-endian (UTF-16BE: characters outside the BMP become surrogate pairs, as Windows writes them). */
function ucs2(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[2 * i] = text.charCodeAt(i) >> 8;
    bytes[2 * i + 1] = text.charCodeAt(i) & 0xff;
  }
  return bytes;
}
