import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isByoiError } from '../../contract/errors/byoi-error.ts';
import type { ChecksumType, HttpHeader, ImageType } from '../../contract/request/install-request.ts';
import { validateChecksum } from '../../contract/request/validate-checksum.ts';
import { validateEfiBootloaderPath } from '../../contract/request/validate-efi-bootloader-path.ts';
import { validateImageType } from '../../contract/request/validate-image-type.ts';
import { inspectImage, type InspectExpectations } from '../../image/inspect/inspect-image.ts';
import { toInspectResult } from '../../image/inspect/to-inspect-result.ts';
import { displayUrl } from '../../deploy/source/display-url.ts';
import { formatInspection } from '../format-inspection.ts';
import { openImageReader } from '../open-image-reader.ts';
import { parseByteSize } from '../parse-byte-size.ts';
import { parseHeaderOptions } from '../parse-header-option.ts';
import type { InspectFlags } from './inspect.ts';

/** What the flags ask for, checked. */
interface InspectRequest {
  location: string;
  headers: HttpHeader[];
  extraCaPem: string | undefined;
  expectations: InspectExpectations;
}

/**
 * What `byoi inspect` does once its options are parsed: checks them (usage errors exit with status 2), inspects
 * the image and prints the report; sets process.exitCode to 0, 1, or 130 when interrupted.
 */
export async function inspectAction(location: string, flags: InspectFlags, command: Command): Promise<void> {
  const request = checkFlags(location, flags, command);
  process.exitCode = await runInspect(request, flags.json === true);
}

/** Turns the flags into a request, or stops with a usage error (exit status 2). Header values are never echoed. */
function checkFlags(location: string, flags: InspectFlags, command: Command): InspectRequest {
  const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: 'byoi.inspect.usage' });
  const attempt = <T>(what: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      return usage(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const expectations: InspectExpectations = {};
  if (flags.type !== undefined) {
    const value = flags.type;
    expectations.imageType = attempt<ImageType>('--type', () => validateImageType(value));
  }
  const diskSize = flags.diskSize === undefined ? undefined : attempt('--disk-size', () => parseByteSize(flags.diskSize ?? ''));
  let sectorSize: number | undefined;
  if (flags.sectorSize !== undefined) {
    if (flags.sectorSize !== '512' && flags.sectorSize !== '4096') usage('--sector-size must be 512 or 4096');
    sectorSize = Number(flags.sectorSize);
  }
  if (diskSize !== undefined || sectorSize !== undefined) {
    if (diskSize === 0) usage('--disk-size must be more than 0 bytes');
    expectations.disk = { name: flags.diskName ?? 'the disk' };
    if (diskSize !== undefined) expectations.disk.size = diskSize;
    if (sectorSize !== undefined) expectations.disk.logicalSectorSize = sectorSize;
  }
  if (flags.bootMode !== undefined) {
    if (flags.bootMode !== 'uefi' && flags.bootMode !== 'legacy') usage('--boot-mode must be uefi or legacy');
    expectations.bootMode = flags.bootMode as 'uefi' | 'legacy';
  }
  if (flags.efiPath !== undefined) {
    const value = flags.efiPath;
    expectations.efiBootloaderPath = attempt('--efi-path', () => validateEfiBootloaderPath(value));
  }
  if (flags.configDriveSize !== undefined) {
    const bytes = attempt('--config-drive-size', () => parseByteSize(flags.configDriveSize ?? ''));
    if (bytes % 4096 !== 0) usage('--config-drive-size must be a multiple of 4096 bytes');
    expectations.configDriveBytes = bytes;
  }
  if (flags.checksum !== undefined || flags.checksumType !== undefined) {
    const checksum = attempt('--checksum', () => validateChecksum(flags.checksum ?? null, flags.checksumType ?? null));
    if (checksum !== null) expectations.checksum = checksum;
  }
  const headers = attempt('--header', () => parseHeaderOptions(flags.header));
  const isUrl = /^https?:\/\//i.test(location);
  if (headers.length > 0 && !isUrl) usage('--header applies to http(s) URLs only');
  let extraCaPem: string | undefined;
  if (flags.ca !== undefined) {
    const path = flags.ca;
    extraCaPem = attempt('--ca', () => readFileSync(path, 'utf8'));
  }
  return { location, headers, extraCaPem, expectations };
}

/** Opens, inspects, prints; returns the exit status (0 or 1). */
async function runInspect(request: InspectRequest, json: boolean): Promise<number> {
  const notes: string[] = [];
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let shownSource = safeSource(request.location);
  try {
    const checksumType: ChecksumType | undefined = request.expectations.checksum?.type;
    const image = await openImageReader(request.location, {
      headers: request.headers,
      signal: controller.signal,
      ...(request.extraCaPem === undefined ? {} : { extraCaPem: request.extraCaPem }),
      ...(checksumType === undefined ? {} : { checksumType }),
      onNote: (note) => {
        notes.push(note);
        // Said at once: a whole download may take a while. The JSON stays alone on stdout.
        process.stderr.write(`byoi inspect: ${note}\n`);
      },
    });
    shownSource = image.source;
    try {
      const inspection = await inspectImage(image.file, request.expectations, {
        signal: controller.signal,
        ...(image.digest === null ? {} : { digest: image.digest }),
      });
      const result = toInspectResult(inspection, image.source, image.access());
      process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatInspection(result, notes));
      return result.problems.some((problem) => problem.severity === 'error') ? 1 : 0;
    } finally {
      await image.close();
    }
  } catch (error) {
    return reportFailure(error, shownSource, json, !/^https?:\/\//i.test(request.location));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The image could not be read at all: one clear sentence (and, with --json, one JSON object), never a stack trace. */
function reportFailure(error: unknown, source: string, json: boolean, local: boolean): number {
  if (isByoiError(error)) {
    const cancelled = error.code === 'BYOI_DEPLOY_CANCELLED';
    // A local file that cannot be opened is not a download: say what is wrong with it, without the curl advice.
    const unreadableFile = local && error.code === 'BYOI_DOWNLOAD_FAILED';
    const message = cancelled ? 'the inspection was interrupted' : unreadableFile ? `cannot read the image: ${error.params.reason ?? error.message}` : error.message;
    if (json) {
      const record: Record<string, unknown> = { source, error: { code: error.code, message, ...(error.detail === undefined ? {} : { detail: error.detail }) } };
      process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    }
    process.stderr.write(`byoi inspect: ${message}\n`);
    if (error.detail !== undefined && !cancelled) process.stderr.write(`  ${error.detail}\n`);
    if (error.solution !== undefined && !cancelled && !unreadableFile) process.stderr.write(`  solution: ${error.solution}\n`);
    return cancelled ? 130 : 1;
  }
  // A bug: say so in one line; the stack only when asked for.
  const text = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${JSON.stringify({ source, error: { code: 'internal', message: text } }, null, 2)}\n`);
  process.stderr.write(`byoi inspect: internal error while inspecting ${source}: ${text}\n`);
  if (process.env.BYOI_DEBUG === '1' && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('  set BYOI_DEBUG=1 for the stack trace, and please report it\n');
  return 1;
}

/** The location as it may be shown: a URL without userinfo and query string (they may hold credentials). */
function safeSource(location: string): string {
  if (!/^https?:\/\//i.test(location)) return location;
  try {
    return displayUrl(location);
  } catch {
    return 'the image URL';
  }
}
