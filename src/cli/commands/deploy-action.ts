import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { DeployResult } from '../../contract/deploy-events.ts';
import { isByoiError, type ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ImageChecksum } from '../../contract/request/install-request.ts';
import { validateChecksum } from '../../contract/request/validate-checksum.ts';
import { validateEfiBootloaderPath } from '../../contract/request/validate-efi-bootloader-path.ts';
import { validateHostname } from '../../contract/request/validate-hostname.ts';
import { validateImageType } from '../../contract/request/validate-image-type.ts';
import { validateImageUrl } from '../../contract/request/validate-image-url.ts';
import { validateMetadata } from '../../contract/request/validate-metadata.ts';
import { parseSshKey } from '../../contract/ssh-key/parse-ssh-key.ts';
import { parseUserData } from '../../contract/user-data/parse-user-data.ts';
import { deployImage, type DeployOptions } from '../../deploy/pipeline/deploy-image.ts';
import { createDeployRenderer, formatBytes, type DeployOutputMode } from '../deploy-progress.ts';
import { parseHeaderOptions } from '../parse-header-option.ts';
import type { DeployFlags } from './deploy.ts';

/** The final line of `--json`, and what a script checks. */
export interface DeployCliResult {
  type: 'result';
  ok: boolean;
  /** null on success, else the catalogue code. */
  code: string | null;
  /** "deployed" on success, else the catalogue message (placeholders filled). */
  message: string;
  detail?: string;
  /** The phase that failed, or null. */
  phase: string | null;
  efiBootloaderPath: string | null;
  configDrive: { partition: number; filesystem: 'vfat' | 'iso9660' } | null;
  bytesWritten: number | null;
  seconds: number;
  /** The whole DeployResult on success. */
  result?: DeployResult;
}

/**
 * What `byoi deploy` does once its options are parsed: checks them and asks for confirmation (usage errors and
 * refusals exit with status 2), deploys, and sets process.exitCode to 0 or 1.
 */
export async function deployAction(flags: DeployFlags, command: Command): Promise<void> {
  const options = checkFlags(flags, command);
  if (flags.yes !== true) await confirm(flags.disk, command);
  process.exitCode = await runDeploy(options, flags.json === true);
}

/** Turns the flags into deploy options, or stops with a usage error (exit status 2). Secrets are never echoed. */
function checkFlags(flags: DeployFlags, command: Command): DeployOptions {
  const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: 'byoi.deploy.usage' });
  const attempt = <T>(what: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      return usage(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const isUrl = /^https?:\/\//i.test(flags.image);
  if (isUrl) attempt('--image', () => validateImageUrl(flags.image));
  const imageType = attempt('--type', () => validateImageType(flags.type));
  let checksum: ImageChecksum | null = null;
  if (flags.checksum !== undefined || flags.checksumType !== undefined) {
    checksum = attempt('--checksum', () => validateChecksum(flags.checksum ?? null, flags.checksumType ?? null));
  }
  const httpHeaders = attempt('--header', () => parseHeaderOptions(flags.header));
  if (httpHeaders.length > 0 && !isUrl) usage('--header applies to http(s) URLs only');
  const options: DeployOptions = { image: flags.image, imageType, disk: flags.disk, checksum, httpHeaders };
  if (flags.ca !== undefined) {
    const path = flags.ca;
    options.extraCaPem = attempt('--ca', () => readFileSync(path, 'utf8'));
  }
  const hostname = flags.hostname === undefined ? null : attempt('--hostname', () => validateHostname(flags.hostname ?? ''));
  const sshKeys = flags.sshKey.map((key, index) => attempt(`--ssh-key ${index + 1}`, () => parseSshKey(key).authorizedKey));
  let userData: Uint8Array | null = null;
  if (flags.userData !== undefined) {
    const path = flags.userData;
    const raw = attempt('--user-data', () => readFileSync(path));
    // A gzip file is kept byte for byte, as the API keeps base64 of gzip.
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? raw.toString('base64') : raw.toString('utf8');
    userData = attempt('--user-data', () => parseUserData(text).bytes);
  }
  const entries = flags.meta.map((entry): [string, string] => {
    const eq = entry.indexOf('=');
    if (eq <= 0) usage(`--meta: expected key=value, got an entry ${eq === 0 ? 'with an empty key' : 'without ='}`);
    return [entry.slice(0, eq), entry.slice(eq + 1)];
  });
  const metadata = attempt('--meta', () => validateMetadata(entries));
  options.configDrive = { hostname, sshKeys, userData, metadata };
  if (flags.efiPath !== undefined) {
    const path = flags.efiPath;
    options.efiBootloaderPath = attempt('--efi-path', () => validateEfiBootloaderPath(path));
  }
  if (flags.bootMode !== undefined) {
    if (flags.bootMode !== 'uefi' && flags.bootMode !== 'legacy') usage('--boot-mode must be uefi or legacy');
    options.bootMode = flags.bootMode as 'uefi' | 'legacy';
  }
  if (flags.configDriveFs !== undefined) {
    if (flags.configDriveFs !== 'vfat' && flags.configDriveFs !== 'iso9660') usage('--config-drive-fs must be vfat or iso9660');
    options.configDriveFilesystem = flags.configDriveFs as 'vfat' | 'iso9660';
  }
  return options;
}

/**
 * Asks before erasing. Without a terminal there is nobody to ask: refuse (exit 2) rather than erase a disk on a
 * script's behalf without an explicit --yes.
 */
async function confirm(disk: string, command: Command): Promise<void> {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
    command.error(
      `error: refusing to erase ${disk} without confirmation: standard input is not a terminal, so nobody can confirm. Pass --yes to erase it.`,
      { exitCode: 2, code: 'byoi.deploy.unconfirmed' },
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`ALL DATA ON ${disk} WILL BE ERASED. Type "yes" to continue: `);
    if (answer.trim().toLowerCase() !== 'yes') command.error('error: not confirmed; nothing was written', { exitCode: 2, code: 'byoi.deploy.unconfirmed' });
  } finally {
    prompt.close();
  }
}

/** Runs the deploy with its output; returns the exit status (0 or 1). Ctrl-C cancels (BYOI_DEPLOY_CANCELLED). */
async function runDeploy(options: DeployOptions, json: boolean): Promise<number> {
  const mode: DeployOutputMode = json ? 'json' : process.stderr.isTTY === true ? 'tty' : 'plain';
  const renderer = createDeployRenderer(mode, process.stdout, process.stderr);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const startedAt = performance.now();
  let failedPhase: string | null = null;
  try {
    const result = await deployImage({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'deploy.error') failedPhase = event.phase;
        renderer.onEvent(event);
      },
    });
    renderer.stop();
    if (json) {
      const line: DeployCliResult = {
        type: 'result',
        ok: true,
        code: null,
        message: 'deployed',
        phase: null,
        efiBootloaderPath: result.efiBootloaderPath,
        configDrive: result.configDrive === null ? null : { partition: result.configDrive.partition, filesystem: result.configDrive.filesystem },
        bytesWritten: result.bytesWritten,
        seconds: result.seconds,
        result,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else {
      printSummary(result);
    }
    return 0;
  } catch (error) {
    renderer.stop();
    if (!isByoiError(error)) throw error;
    const failure: ByoiError = error;
    process.stderr.write(`byoi: ${failure.message}\n`);
    if (failure.detail !== undefined && failure.code !== 'BYOI_INTERNAL') process.stderr.write(`  ${failure.detail}\n`);
    if (failure.solution !== undefined) process.stderr.write(`  solution: ${failure.solution}\n`);
    if (failure.code === 'BYOI_INTERNAL' && process.env.BYOI_DEBUG === '1' && failure.cause instanceof Error) {
      process.stderr.write(`${failure.cause.stack ?? String(failure.cause)}\n`);
    }
    if (json) {
      const line: DeployCliResult = {
        type: 'result',
        ok: false,
        code: failure.code,
        message: failure.message,
        phase: failedPhase,
        efiBootloaderPath: null,
        configDrive: null,
        bytesWritten: null,
        seconds: Math.round(performance.now() - startedAt) / 1000,
      };
      if (failure.detail !== undefined) line.detail = failure.detail;
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printSummary(result: DeployResult): void {
  const lines = [
    `Deployed ${result.format} image to ${result.disk} in ${result.seconds} s`,
    `  ${formatBytes(result.bytesDownloaded)} downloaded, ${formatBytes(result.bytesWritten)} written` +
      `${result.download.resumes > 0 ? `, ${result.download.resumes} resume(s)` : ''}${result.download.restarts > 0 ? `, ${result.download.restarts} restart(s)` : ''}`,
    `  ${result.digest.algorithm}: ${result.digest.hex}${result.checksumVerified ? ' (matches --checksum)' : ''}`,
    `  partition table: ${result.partitionTable.type.toUpperCase()}, ${result.partitionTable.sectorSize}-byte sectors`,
    `  config drive: partition ${result.configDrive?.partition ?? '-'} (${result.configDrive?.filesystem ?? '-'}, label config-2)`,
    `  efiBootloaderPath: ${result.efiBootloaderPath ?? 'none (no EFI loader found)'}`,
    `  legacy boot: ${result.legacyBoot ? 'looks possible' : 'no BIOS boot code found'}`,
  ];
  for (const warning of result.warnings) lines.push(`  warning: ${warning.message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
