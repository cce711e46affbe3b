import { agentProtocolVersion, type AgentJob } from '../../contract/agent/agent-protocol.ts';
import type { InstallRequest } from '../../contract/request/install-request.ts';
import type { Server, TargetDisk } from '../fleet/server-model.ts';

/** How often an agent should beat for a lease of `leaseSeconds`: four beats per lease, at most every 30 s. */
export function heartbeatSecondsFor(leaseSeconds: number): number {
  return Math.max(1, Math.min(30, Math.floor(leaseSeconds / 4)));
}

/**
 * The job of an install, for its agent only: the decrypted request (header values, user data), the target disk
 * with the server's whole inventory, and the first-boot URL with its one-time token. Pure.
 */
export function buildAgentJob(input: {
  taskId: number;
  server: Server;
  targetDisk: TargetDisk;
  request: InstallRequest;
  instanceUuid: string;
  phoneHome: { url: string; token: string } | null;
  leaseSeconds: number;
}): AgentJob {
  const { server, targetDisk, request } = input;
  const disk: AgentJob['disk'] = { diskGroupId: targetDisk.diskGroupId, sizeBytes: targetDisk.sizeBytes };
  if (targetDisk.device !== undefined) disk.device = targetDisk.device;
  if (targetDisk.path !== undefined) disk.path = targetDisk.path;
  if (targetDisk.serial !== undefined) disk.serial = targetDisk.serial;
  if (targetDisk.wwn !== undefined) disk.wwn = targetDisk.wwn;
  return {
    protocol: agentProtocolVersion,
    taskId: input.taskId,
    serverName: server.serviceName,
    bootMode: server.bootMode,
    disk,
    diskGroups: server.diskGroups.map((group) => ({
      diskGroupId: group.diskGroupId,
      diskType: group.diskType,
      disks: group.disks.map((d) => {
        const out: AgentJob['diskGroups'][number]['disks'][number] = { sizeBytes: d.sizeBytes };
        if (d.device !== undefined) out.device = d.device;
        if (d.path !== undefined) out.path = d.path;
        if (d.serial !== undefined) out.serial = d.serial;
        if (d.wwn !== undefined) out.wwn = d.wwn;
        return out;
      }),
    })),
    image: {
      url: request.image.url,
      type: request.image.type,
      checksum: request.image.checksum === null ? null : { ...request.image.checksum },
      httpHeaders: request.image.httpHeaders.map(({ name, value }) => ({ name, value })),
    },
    efiBootloaderPath: request.efiBootloaderPath,
    configDrive: {
      hostname: request.hostname,
      sshKeys: request.sshKey === null ? [] : [request.sshKey.authorizedKey],
      userData: request.userData === null ? null : Buffer.from(request.userData.bytes).toString('base64'),
      metadata: { ...request.metadata },
      instanceUuid: input.instanceUuid,
      phoneHome: input.phoneHome,
    },
    heartbeatSeconds: heartbeatSecondsFor(input.leaseSeconds),
    leaseSeconds: input.leaseSeconds,
  };
}
