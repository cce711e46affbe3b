import type { DeployEvent, DeployPhase, DeployResult, DeployWarning } from '../../contract/deploy-events.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import { openDisk } from '../disk/open-disk.ts';
import { relocateGptBackup } from '../partition/relocate-gpt-backup.ts';
import { cancelledError } from '../source/download-error.ts';
import type { ImageSource } from '../source/image-source.ts';
import { createRedactor } from '../source/redactor.ts';
import { addConfigDrive } from './add-config-drive.ts';
import { checkWrittenImage } from './check-written-image.ts';
import { commitDisk } from './commit-disk.ts';
import { resolveDeployOptions, type DeployOptions, type ResolvedDeployOptions } from './deploy-options.ts';
import { openImageSource } from './open-image-source.ts';
import { createRangeRefetcher } from './range-refetcher.ts';
import { reportBoot } from './report-boot.ts';
import { runPreflight } from './run-preflight.ts';
import { toDeployError } from './to-deploy-error.ts';
import { qcow2DecoderFactory } from './qcow2-decoder-factory.ts';
import { verifyDigest } from './verify-digest.ts';
import { wipeDisk } from './wipe-disk.ts';
import { writeImage, type WrittenImage } from './write-image.ts';

export type { DeployOptions } from './deploy-options.ts';

/**
 * Deploys an image onto a disk in one pass, verified, commit-last: the library behind `byoi deploy` and the
 * rescue agent. Phases, in order (docs/ARCHITECTURE.md, "The deploy pipeline"):
 *
 * 1. preflight: probe the source, read the image's head (and tail, by Range), inspectImage() against the request
 *    and the disk. Nothing is written; any error stops here and the disk is untouched.
 * 2. wipe: empty a file disk, or zero the signatures at both ends of a device.
 * 3. write: download (hashed, resumed after cuts) → decoder (raw or qcow2) → batching writer, with the first and
 *    last MiB of the image and the last MiB of the disk held back in memory.
 * 4. verify: the digest against the checksum; the partition table, sector size and ESP as written.
 * 5. gpt: the backup GPT moves to the end of the disk (in the held-back view).
 * 6. config-drive: a `config-2` partition and filesystem at the end of the disk.
 * 7. boot: the ESP's loaders; the efiBootloaderPath that exists.
 * 8. commit: the held-back ranges are written, the disk synced, a block device's table re-read.
 *
 * Events arrive through `onEvent` in that order (deploy.start, phase.start / progress / phase.end per phase,
 * then deploy.end or deploy.error). A failure before the commit leaves the disk without a partition table.
 *
 * @returns the DeployResult (also sent as deploy.end)
 * @throws ByoiError: the catalogue error of the failed phase (also sent as deploy.error); BYOI_DEPLOY_CANCELLED
 *   when the signal fired; BYOI_INTERNAL for anything outside the catalogue (the cause is kept)
 *
 * @example
 * ```ts
 * const result = await deployImage({
 *   image: 'https://images.example/debian-12.qcow2', imageType: 'qcow2', disk: '/dev/sda',
 *   checksum: { type: 'sha256', value: '9f86d0...' }, configDrive: { hostname: 'web1', sshKeys: [key] },
 *   onEvent: (event) => console.log(event.type),
 * });
 * result.efiBootloaderPath; // "\\EFI\\debian\\shimx64.efi"
 * ```
 */
export async function deployImage(options: DeployOptions): Promise<DeployResult> {
  const listener = typeof options?.onEvent === 'function' ? options.onEvent : undefined;
  const emit = (event: DeployEvent): void => {
    if (listener === undefined) return;
    try {
      listener(event);
    } catch {
      // A listener's bug must not break a deploy: events are advisory.
    }
  };
  const redactor = createRedactor([
    ...(options?.httpHeaders ?? []).map((header) => header.value),
    ...(options?.configDrive?.phoneHome === undefined ? [] : [options.configDrive.phoneHome.token]),
  ]);

  let resolved: ResolvedDeployOptions;
  try {
    resolved = resolveDeployOptions(options);
  } catch (error) {
    const failure = toDeployError(error, null, undefined, redactor);
    emit({ type: 'deploy.error', phase: null, error: failure.toRecord() });
    throw failure;
  }
  const { signal } = resolved;
  const startedAt = performance.now();
  let phase: DeployPhase | null = null;
  let disk: DiskIO | null = null;
  let source: ImageSource | null = null;
  const ownsDisk = typeof resolved.disk === 'string';
  const warnings: DeployWarning[] = [];
  const warn = (warning: DeployWarning): void => {
    // The preflight and the boot phase may find the same thing: report it once.
    if (warnings.some((known) => known.code === warning.code && known.message === warning.message)) return;
    warnings.push(warning);
    emit({ type: 'warning', warning });
  };

  let phaseStartedAt = 0;
  const enter = (next: DeployPhase): void => {
    if (signal?.aborted === true) throw cancelledError(signal);
    phase = next;
    phaseStartedAt = performance.now();
    emit({ type: 'phase.start', phase: next });
  };
  const leave = (): void => {
    if (phase !== null) emit({ type: 'phase.end', phase, seconds: seconds(phaseStartedAt) });
  };

  try {
    if (signal?.aborted === true) throw cancelledError(signal);
    disk = typeof resolved.disk === 'string' ? await openDisk(resolved.disk) : resolved.disk;
    source = openImageSource(resolved.image, {
      httpHeaders: resolved.httpHeaders,
      extraCaPem: resolved.extraCaPem,
      http: resolved.http,
      // Redirects and retries of the probe and of range reads; the download's own are forwarded by writeImage().
      onEvent: (event) => {
        if (event.type === 'download.retry') {
          emit({ type: 'download.notice', what: 'retry', message: `attempt ${event.attempt} of ${event.maxAttempts} failed (${event.reason}); retrying` });
        }
      },
    });
    emit({
      type: 'deploy.start',
      image: source.displayName,
      imageType: resolved.imageType,
      disk: disk.name,
      diskSize: disk.size,
      diskSectorSize: disk.logicalSectorSize,
    });

    // 1. preflight: nothing is written.
    enter('preflight');
    const preflight = await runPreflight({
      source,
      disk,
      imageType: resolved.imageType,
      bootMode: resolved.bootMode,
      efiBootloaderPath: resolved.efiBootloaderPath,
      configDriveFilesystem: resolved.configDriveFilesystem,
      signal,
    });
    // The boot phase reports a missing efiBootloaderPath from the written ESP, with byoi's suggestion.
    for (const warning of preflight.warnings) if (warning.code !== 'BYOI_EFI_PATH_NOT_FOUND') warn(warning);
    emit({
      type: 'preflight.result',
      format: preflight.format,
      virtualSize: preflight.virtualSize,
      fileSize: preflight.facts.size,
      acceptsRanges: preflight.facts.acceptsRanges,
      partitionTable: preflight.partitionTable,
    });
    leave();

    // 2. wipe
    enter('wipe');
    const wiped = await wipeDisk(disk);
    leave();

    // 3. write: the partition-table regions stay in memory.
    enter('write');
    let firstPassDigest: string | null = null;
    const algorithm = resolved.checksum?.type ?? 'sha256';
    const imageSource = source;
    const written: WrittenImage = await writeImage({
      source: imageSource,
      facts: preflight.facts,
      disk,
      guestSize: preflight.guestSize,
      decoder:
        resolved.imageType === 'qcow2'
          ? qcow2DecoderFactory({
              fileSize: preflight.facts.size,
              memoryBudgetBytes: resolved.memoryBudgetBytes,
              signal,
              refetch: createRangeRefetcher(imageSource, {
                facts: preflight.facts,
                algorithm,
                firstPassDigest: () => firstPassDigest,
                onRefetch: (how, ranges, bytes) =>
                  emit({
                    type: 'download.notice',
                    what: 'refetch',
                    message: how === 'range'
                      ? `reading ${ranges} range(s), ${bytes} bytes, again with HTTP Range requests`
                      : `reading the image a second time for ${ranges} range(s), ${bytes} bytes: the server does not support HTTP Range requests`,
                  }),
              }),
              onNotice: (message) => emit({ type: 'download.notice', what: 'refetch', message }),
            })
          : null,
      diskReadsZero: wiped.diskReadsZero,
      algorithm,
      progressIntervalMs: resolved.progressIntervalMs,
      signal,
      emit,
      onDigest: (hex) => {
        firstPassDigest = hex;
      },
    });
    leave();

    // 4. verify: nothing held back reaches the disk unless the digest matches.
    enter('verify');
    const checksumVerified = verifyDigest(written.download.digest.hex, resolved.checksum);
    const view = written.view;
    await checkWrittenImage(view, written.guestSize, resolved.bootMode);
    leave();

    // 5. gpt
    enter('gpt');
    const tableBefore = await checkWrittenImage(view, written.guestSize, null);
    if (tableBefore.type === 'gpt') await relocateGptBackup(view);
    leave();

    // 6. config-drive
    enter('config-drive');
    const drive = resolved.configDrive;
    const configDrive = await addConfigDrive(
      view,
      {
        uuid: drive.instanceUuid,
        hostname: drive.hostname,
        publicKeys: drive.publicKeys,
        userData: drive.userData,
        meta: drive.metadata,
        availabilityZone: drive.availabilityZone,
        launchIndex: 0,
        ...(drive.networkData === undefined ? {} : { networkData: drive.networkData }),
        ...(drive.phoneHome === undefined ? {} : { phoneHome: drive.phoneHome }),
      },
      preflight.configDriveFilesystem,
      drive.timestamp,
    );
    leave();

    // 7. boot
    enter('boot');
    const table = await checkWrittenImage(view, written.guestSize, null);
    const boot = await reportBoot(view, table, resolved.efiBootloaderPath, resolved.bootMode);
    for (const warning of boot.warnings) warn(warning);
    leave();

    // 8. commit: from here on the deploy runs to its end; a cancellation is no longer honoured.
    enter('commit');
    for (const warning of await commitDisk(() => written.commit(), disk)) warn(warning);
    leave();

    const result: DeployResult = {
      ok: true,
      disk: disk.name,
      format: preflight.format,
      virtualSize: written.guestSize,
      digest: written.download.digest,
      checksumVerified,
      efiBootloaderPath: boot.efiBootloaderPath,
      efiBootloaderPaths: boot.efiBootloaderPaths,
      legacyBoot: boot.legacyBoot,
      partitionTable: { type: table.type, sectorSize: table.sectorSize },
      configDrive: {
        partition: configDrive.partition.number,
        filesystem: configDrive.filesystem,
        start: configDrive.partition.start,
        size: configDrive.partition.size,
      },
      bytesDownloaded: written.download.bytes,
      bytesWritten: written.bytesWritten,
      seconds: seconds(startedAt),
      download: { requests: written.download.requests, resumes: written.download.resumes, restarts: written.download.restarts },
      warnings,
    };
    emit({ type: 'deploy.end', result });
    return result;
  } catch (error) {
    const failure = toDeployError(error, phase, signal, redactor);
    const record = failure.toRecord();
    record.message = redactor.redact(record.message);
    if (record.detail !== undefined) record.detail = redactor.redact(record.detail);
    emit({ type: 'deploy.error', phase, error: record });
    throw failure;
  } finally {
    await source?.close().catch(() => undefined);
    if (ownsDisk) await disk?.close().catch(() => undefined);
  }
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}

