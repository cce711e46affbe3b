import type { ErrorCode } from '../contract/errors/catalogue.ts';

/**
 * The shape `byoi inspect --json` prints. Later tools (deploy preflight, the control plane's inspect
 * endpoint, the panel) rely on these keys: add fields, never rename or remove them.
 */

/** qemu-img's name for a container format, or the name of a whole-image compression. */
export type ImageFormat =
  | 'qcow2'
  | 'raw'
  | 'vmdk'
  | 'vpc'
  | 'vhdx'
  | 'vdi'
  | 'qed'
  | 'qcow'
  | 'luks'
  | 'parallels'
  | 'dmg'
  | 'gzip'
  | 'xz'
  | 'zstd'
  | 'bzip2';

export type PartitionTableType = 'gpt' | 'mbr';

export interface PartitionInfo {
  /** 1-based partition number, as Linux names it (sda1 is 1). */
  number: number;
  /** Start in bytes from the beginning of the disk. */
  start: number;
  /** Size in bytes. */
  size: number;
  /** GPT: the type GUID in upper case; MBR: the type byte as two hex digits ("83", "ef"). */
  type: string;
  /** Human name of the type ("EFI System", "Linux filesystem", "BIOS boot"), when known. */
  typeName: string | null;
  /** GPT partition name; null on MBR. */
  name: string | null;
  /** Filesystem found in the partition (blkid's TYPE name: ext4, vfat, xfs ...), or null. */
  filesystem: string | null;
  /** Filesystem label, or null. */
  label: string | null;
  /** Filesystem UUID as blkid prints it, or null. */
  uuid: string | null;
  /** MBR: the active (boot) flag; GPT: the legacy BIOS bootable attribute (bit 2). */
  bootable: boolean;
}

export interface PartitionTableInfo {
  type: PartitionTableType;
  /** Logical sector size the table was written for: 512 or 4096. */
  sectorSize: number;
  /** GPT disk GUID or MBR disk signature (8 hex digits). */
  id: string;
  partitions: PartitionInfo[];
  /** GPT only: where the backup header is and whether it sits at the last LBA of the image. */
  gpt?: {
    firstUsableLba: number;
    lastUsableLba: number;
    backupLba: number;
    /** True when the primary header says the backup is at the last sector of the image and it is valid there. */
    backupValid: boolean;
    /** True when the backup header sits at the image's last LBA. */
    backupAtEnd: boolean;
    /** Number of entry slots and their size, from the primary header. */
    entryCount: number;
    entrySize: number;
  };
}

export interface FilesystemInfo {
  /** blkid's TYPE name: ext2, ext3, ext4, xfs, btrfs, vfat, ntfs, iso9660, crypto_LUKS, LVM2_member, swap, squashfs, zfs_member ... */
  type: string;
  label: string | null;
  uuid: string | null;
}

export interface BootInfo {
  /** An EFI System Partition exists and holds at least one .efi loader under \EFI. */
  uefi: boolean;
  /** Legacy BIOS boot looks possible: MBR boot code, or a BIOS boot partition on GPT with boot code. */
  legacy: boolean;
  /** Every .efi file under \EFI on the ESP, as backslash paths with the ESP's own spelling ("\EFI\debian\grubx64.efi"). */
  efiBootloaderPaths: string[];
  /** The path byoi suggests for efiBootloaderPath: a distro loader (shim before grub), before \EFI\BOOT\BOOTX64.EFI. */
  suggestedEfiBootloaderPath: string | null;
  /** Number of the partition that is the ESP, when there is one. */
  espPartition: number | null;
}

export interface Problem {
  code: ErrorCode;
  message: string;
}

/** `error`: the deploy would fail (or the image would not boot as asked); `warning`: worth knowing, not fatal. */
export type ProblemSeverity = 'error' | 'warning';

/** A problem as `byoi inspect` and the deploy preflight report it: a catalogue entry this image would hit. */
export interface ImageProblem extends Problem {
  severity: ProblemSeverity;
  /** The catalogue's solution with the placeholders filled, or null when the entry has none. */
  solution: string | null;
  /** The error's params (the values the message was filled with), for tools that rebuild the error. */
  params: Record<string, string>;
  /** A technical sentence for people who debug, when there is one. */
  detail?: string;
}

/** The checksum the user gave, and what became of it. */
export interface ChecksumCheck {
  type: 'md5' | 'sha1' | 'sha256' | 'sha512';
  /** Lower-case hex, as given. */
  expected: string;
  /** Digest of the whole file when it was computed here, else null. */
  actual: string | null;
  /** `deferred`: not computed here (an image read by HTTP Range); the deploy verifies it while downloading. */
  status: 'match' | 'mismatch' | 'deferred';
}

export interface Qcow2Info {
  version: 2 | 3;
  clusterSize: number;
  compressionType: 'deflate' | 'zstd';
  backingFile: string | null;
  externalDataFile: string | null;
  encrypted: boolean;
  extendedL2: boolean;
  dirty: boolean;
  corrupt: boolean;
}

export interface InspectResult {
  /** Where the bytes came from (path or URL, with any userinfo removed). */
  source: string;
  /** Size of the file or HTTP resource in bytes. */
  fileSize: number;
  format: ImageFormat;
  /**
   * Size of the disk the image describes, in bytes, as `qemu-img info` says "virtual-size": for raw (and for
   * whole-file compressions, which qemu-img reads as raw) the file size rounded up to whole 512-byte sectors;
   * 0 when a container header cannot be read (a problem then says why).
   */
  virtualSize: number;
  /** qcow2 details when format is qcow2. */
  qcow2: Qcow2Info | null;
  partitionTable: PartitionTableInfo | null;
  /** What a raw image without a partition table seems to contain ("ext4", "nothing recognisable"), else null. */
  contents: string | null;
  boot: BootInfo;
  /** Every problem found, in the order of the deploy's steps; [] when the image fits the request. */
  problems: ImageProblem[];
  /**
   * Checks that could not be made because they need bytes that cannot be read yet (an HTTP server without Range
   * support, read only from its head), one sentence each; the deploy makes them after the download.
   */
  unchecked: string[];
  /**
   * True when the file ends with a fixed VHD footer ("conectix"): qemu-img and byoi read it as raw, and its
   * last 512 bytes are not part of the disk.
   */
  fixedVhdFooter: boolean;
  /** The checksum given with the request and its verdict, or null when none was given. */
  checksum: ChecksumCheck | null;
  /** How the bytes were read: "file", "http-range" (with the number of requests) or "http-full". */
  access: { method: 'file' | 'http-range' | 'http-full'; requests: number; bytesRead: number };
}
