import { ByoiError } from '../contract/errors/byoi-error.ts';
import type { AgentJob } from '../contract/agent/agent-protocol.ts';

/** One whole-disk block device of the rescue system, as list-block-devices.ts reads it from /sys/block. */
export interface BlockDevice {
  /** Kernel name: sda, nvme0n1, vda. */
  name: string;
  /** /dev/<name>. */
  path: string;
  sizeBytes: number;
  removable: boolean;
  readOnly: boolean;
  /** queue/rotational: true for spinning disks. */
  rotational: boolean;
  serial: string | null;
  wwn: string | null;
  model: string | null;
}

/** How the target was found, for the agent's log. */
export interface SelectedDisk {
  path: string;
  /** "device", "wwn", "serial" or "size". */
  by: 'device' | 'wwn' | 'serial' | 'size';
  device: BlockDevice | null;
}

/** Kernel names that are never a server's disk: loop, RAM, compressed RAM, optical, device-mapper, md, network. */
const virtualNames = /^(loop|ram|zram|sr|dm-|md|nbd|fd|rbd|drbd)/;
/** Registered sizes are often rounded ("960G"); a device within this fraction of the size still matches. */
export const sizeTolerance = 0.01;

/**
 * Picks the block device that is the job's target disk (the first disk of the chosen disk group) among the
 * rescue system's disks. Pure: the caller reads /sys/block (listBlockDevices()).
 *
 * Decision, in order (the first rule the registration allows decides):
 *   1. the registered `device` (/dev/...): that device, which must exist;
 *   2. the registered WWN: the one device with that WWN (compared without `naa.`/`eui.`/`0x` prefixes and case);
 *   3. the registered serial: the one device with that serial (trimmed);
 *   4. the size: every usable device (not removable, not read-only, not virtual) within 1 % of a registered size
 *      is a candidate. Disks of the inventory that look the same (same size within 1 %, and the same class: NVMe,
 *      rotational, or other) are put in inventory order (group id, then position); matching devices in kernel
 *      name order (sda < sdb < sdaa, nvme0n1 < nvme1n1). Their counts must agree, and the target takes the
 *      device at its own position. A count that does not agree is an error naming what was found: writing to
 *      a guessed disk would erase the wrong one.
 *
 * @throws ByoiError BYOI_AGENT_DISK_NOT_FOUND
 * @example
 * ```ts
 * selectTargetDisk(job, [{ name: 'sda', path: '/dev/sda', sizeBytes: 480103981056, ... }]).path; // "/dev/sda"
 * ```
 */
export function selectTargetDisk(job: Pick<AgentJob, 'serverName' | 'disk' | 'diskGroups'>, devices: readonly BlockDevice[]): SelectedDisk {
  const target = job.disk;
  const fail = (reason: string): never => {
    throw new ByoiError('BYOI_AGENT_DISK_NOT_FOUND', { diskGroupId: target.diskGroupId, serverName: job.serverName, reason });
  };
  if (target.device !== undefined) {
    const wanted = target.device;
    const found = devices.find((device) => device.path === wanted || device.name === wanted.replace(/^\/dev\//, ''));
    if (found === undefined) return fail(`the registered device ${target.device} does not exist (found: ${describe(devices)})`);
    return { path: found.path, by: 'device', device: found };
  }
  if (target.wwn !== undefined) {
    const wanted = normaliseWwn(target.wwn);
    const found = devices.filter((device) => device.wwn !== null && normaliseWwn(device.wwn) === wanted);
    if (found.length !== 1) return fail(`${found.length} devices have the registered WWN ${target.wwn}`);
    return { path: (found[0] as BlockDevice).path, by: 'wwn', device: found[0] as BlockDevice };
  }
  if (target.serial !== undefined) {
    const wanted = target.serial.trim();
    const found = devices.filter((device) => device.serial !== null && device.serial.trim() === wanted);
    if (found.length !== 1) return fail(`${found.length} devices have the registered serial ${target.serial}`);
    return { path: (found[0] as BlockDevice).path, by: 'serial', device: found[0] as BlockDevice };
  }

  const targetGroup = job.diskGroups.find((group) => group.diskGroupId === target.diskGroupId);
  const targetClass = diskClass(targetGroup?.diskType ?? '');
  // The inventory disks that the target cannot be told apart from, in inventory order; the target is the
  // first disk of its group.
  const lookAlikes: Array<{ diskGroupId: number; index: number }> = [];
  for (const group of [...job.diskGroups].sort((a, b) => a.diskGroupId - b.diskGroupId)) {
    group.disks.forEach((disk, index) => {
      if (disk.device !== undefined || disk.serial !== undefined || disk.wwn !== undefined) return; // found by other means
      if (sameSize(disk.sizeBytes, target.sizeBytes) && compatibleClass(diskClass(group.diskType), targetClass)) {
        lookAlikes.push({ diskGroupId: group.diskGroupId, index });
      }
    });
  }
  const position = lookAlikes.findIndex((disk) => disk.diskGroupId === target.diskGroupId && disk.index === 0);
  // Devices that another inventory disk names by device, serial or WWN are that disk, not a candidate.
  const claimed = new Set<string>();
  for (const group of job.diskGroups) {
    for (const disk of group.disks) {
      for (const device of devices) {
        if (
          (disk.device !== undefined && (device.path === disk.device || device.name === disk.device.replace(/^\/dev\//, ''))) ||
          (disk.wwn !== undefined && device.wwn !== null && normaliseWwn(device.wwn) === normaliseWwn(disk.wwn)) ||
          (disk.serial !== undefined && device.serial !== null && device.serial.trim() === disk.serial.trim())
        ) {
          claimed.add(device.path);
        }
      }
    }
  }
  const candidates = devices
    .filter((device) => !claimed.has(device.path))
    .filter((device) => usable(device) && sameSize(device.sizeBytes, target.sizeBytes) && fitsClass(device, targetClass))
    .sort((a, b) => compareKernelNames(a.name, b.name));
  if (candidates.length === 0) {
    return fail(`no usable device has ${target.sizeBytes} bytes (found: ${describe(devices)})`);
  }
  if (position < 0 || candidates.length !== lookAlikes.length) {
    return fail(
      `${candidates.length} devices (${candidates.map((d) => d.path).join(', ')}) have ${target.sizeBytes} bytes, but the inventory has ` +
        `${lookAlikes.length} such disks: register the disk's device, serial or WWN`,
    );
  }
  const chosen = candidates[position] as BlockDevice;
  return { path: chosen.path, by: 'size', device: chosen };
}

/** True for a device byoi may write: a real, writable, non-removable disk with a size. */
export function usable(device: BlockDevice): boolean {
  return !device.removable && !device.readOnly && device.sizeBytes > 0 && !virtualNames.test(device.name);
}

function sameSize(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(a, b) * sizeTolerance;
}

type DiskClass = 'nvme' | 'rotational' | 'solid' | 'any';

/** What the group's diskType says about its devices: NVMe, spinning (HDD, SAS, SATA...), SSD, or unknown. */
function diskClass(diskType: string): DiskClass {
  const type = diskType.toLowerCase();
  if (type.includes('nvme')) return 'nvme';
  if (type.includes('ssd')) return 'solid';
  if (type.includes('hdd') || type === 'sas' || type === 'sata') return 'rotational';
  return 'any';
}

function compatibleClass(a: DiskClass, b: DiskClass): boolean {
  return a === 'any' || b === 'any' || a === b;
}

function fitsClass(device: BlockDevice, wanted: DiskClass): boolean {
  const nvme = device.name.startsWith('nvme');
  switch (wanted) {
    case 'nvme':
      return nvme;
    case 'rotational':
      return !nvme && device.rotational;
    case 'solid':
      return !device.rotational;
    case 'any':
      return true;
  }
}

function normaliseWwn(wwn: string): string {
  return wwn.trim().toLowerCase().replace(/^(naa\.|eui\.|t10\.|0x)/, '');
}

/** sda < sdb < sdz < sdaa; nvme0n1 < nvme1n1 < nvme10n1: shorter names first, then by digits as numbers. */
export function compareKernelNames(a: string, b: string): number {
  const split = (name: string) => name.match(/\d+|\D+/g) ?? [];
  const left = split(a);
  const right = split(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric) return Number(x) - Number(y);
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

function describe(devices: readonly BlockDevice[]): string {
  if (devices.length === 0) return 'no block device';
  return devices.map((device) => `${device.path} ${device.sizeBytes} bytes${usable(device) ? '' : ' (not usable)'}`).join(', ');
}
