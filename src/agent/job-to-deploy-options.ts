import type { AgentJob } from '../contract/agent/agent-protocol.ts';
import type { DeployEventListener } from '../contract/deploy-events.ts';
import type { DeployOptions } from '../deploy/pipeline/deploy-options.ts';

/**
 * The deployImage() options of a job: the image with its checksum and headers, the target disk, the config
 * drive (hostname, key, user data bytes, metadata, instance id, phone home) and the boot facts. Pure.
 *
 * @param disk the device or file chosen for the job (selectTargetDisk(), the job's path, or --disk)
 * @param extra the CA that also signs the image server's certificate (the control plane's own sample images)
 */
export function jobToDeployOptions(
  job: AgentJob,
  disk: string,
  extra: { ca?: string; signal?: AbortSignal; onEvent?: DeployEventListener } = {},
): DeployOptions {
  const configDrive: NonNullable<DeployOptions['configDrive']> = {
    hostname: job.configDrive.hostname,
    sshKeys: job.configDrive.sshKeys,
    userData: job.configDrive.userData === null ? null : new Uint8Array(Buffer.from(job.configDrive.userData, 'base64')),
    metadata: job.configDrive.metadata,
    instanceUuid: job.configDrive.instanceUuid,
  };
  if (job.configDrive.phoneHome !== null) configDrive.phoneHome = { ...job.configDrive.phoneHome };
  const options: DeployOptions = {
    image: job.image.url,
    imageType: job.image.type,
    disk,
    checksum: job.image.checksum,
    httpHeaders: job.image.httpHeaders,
    configDrive,
    efiBootloaderPath: job.efiBootloaderPath,
    bootMode: job.bootMode,
  };
  if (extra.ca !== undefined) options.extraCaPem = extra.ca;
  if (extra.signal !== undefined) options.signal = extra.signal;
  if (extra.onEvent !== undefined) options.onEvent = extra.onEvent;
  return options;
}
