import type { ErrorRecord } from './errors/byoi-error.ts';

/**
 * Events of one deploy, delivered in this order through one `onEvent` callback:
 *   deploy.start, then for each phase: phase.start, any number of progress/notice events, phase.end;
 *   then exactly one of deploy.end or deploy.error.
 * Options refused before any I/O give a lone deploy.error (phase null), without deploy.start.
 * A phase that fails gets no phase.end: its deploy.error names it. The state machine is in docs/ARCHITECTURE.md.
 * The agent forwards them to the control plane; the CLI prints them. None ever carries a secret
 * (header values, user data, tokens).
 */

/** The phases of a deploy, in the order they run. */
export const deployPhases = [
  'preflight',
  'wipe',
  'write',
  'verify',
  'gpt',
  'config-drive',
  'boot',
  'commit',
] as const;

export type DeployPhase = (typeof deployPhases)[number];

export interface DeployResult {
  ok: true;
  /** The disk written (device path or file name). */
  disk: string;
  /** Format found in the image's bytes. */
  format: string;
  virtualSize: number;
  /** Digest of the downloaded bytes (the user's algorithm, sha256 when none was asked for). */
  digest: { algorithm: string; hex: string };
  /** Whether the digest was compared with a checksum the user gave. */
  checksumVerified: boolean;
  /** The loader found on the ESP that boots this disk (the user's path when it exists), or null. */
  efiBootloaderPath: string | null;
  /** All .efi loaders found on the ESP. */
  efiBootloaderPaths: string[];
  legacyBoot: boolean;
  /** The partition table of the deployed disk. */
  partitionTable: { type: 'gpt' | 'mbr'; sectorSize: number };
  configDrive: { partition: number; filesystem: 'vfat' | 'iso9660'; start: number; size: number } | null;
  bytesDownloaded: number;
  /** Bytes of image data written to the disk (zero runs are not written). */
  bytesWritten: number;
  seconds: number;
  download: { requests: number; resumes: number; restarts: number };
  warnings: DeployWarning[];
}

export interface DeployWarning {
  /** A catalogue code: the warning is that error, found where it does not stop the deploy. */
  code: string;
  /** The catalogue message, placeholders filled. */
  message: string;
  /** What to do about it, or a technical sentence (never a secret). */
  detail?: string;
}

export type DeployEvent =
  | {
      type: 'deploy.start';
      /** Display form of the image location (no userinfo, no query string). */
      image: string;
      imageType: 'raw' | 'qcow2';
      disk: string;
      diskSize: number;
      diskSectorSize: number;
    }
  | {
      /** What the preflight learned, before anything is written (preflight phase). */
      type: 'preflight.result';
      format: string;
      virtualSize: number;
      /** Size of the image file, or null when the server does not say. */
      fileSize: number | null;
      acceptsRanges: boolean;
      /** Partition table read before the write, or null when it could not be read yet (no Range support). */
      partitionTable: 'gpt' | 'mbr' | null;
    }
  | { type: 'phase.start'; phase: DeployPhase }
  | { type: 'phase.end'; phase: DeployPhase; seconds: number }
  | {
      type: 'write.progress';
      /** Bytes of the image file received so far. */
      bytesDownloaded: number;
      /** Size of the image file when known. */
      bytesTotal: number | null;
      bytesWritten: number;
      /** Download rate over the last few seconds, bytes per second. */
      rate: number;
      etaSeconds: number | null;
    }
  | { type: 'download.notice'; what: 'resume' | 'restart' | 'retry' | 'refetch'; message: string }
  | { type: 'warning'; warning: DeployWarning }
  | { type: 'deploy.end'; result: DeployResult }
  | { type: 'deploy.error'; phase: DeployPhase | null; error: ErrorRecord };

export type DeployEventListener = (event: DeployEvent) => void;
