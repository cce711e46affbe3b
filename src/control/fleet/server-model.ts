/** A server of the fleet, as the control plane uses it (the power driver's config stays encrypted in the store). */
export interface Server {
  id: number;
  /** OVH's serviceName: the name clients use in URLs. */
  serviceName: string;
  accountId: number;
  displayName: string;
  /** Lower case, colon separated: the key of the boot service's `GET /boot/{mac}.ipxe`. */
  mac: string;
  bootMode: BootMode;
  memorySizeMb: number;
  powerDriver: string;
  diskGroups: DiskGroup[];
  efiBootloaderPath: string | null;
  /** OVH boot id (boot-options.ts): 1 boots the disk. */
  bootId: number;
  /** A custom iPXE script that replaces the boot service's own (OVH `bootScript`). */
  bootScript: string | null;
  os: string;
  state: string;
  datacenter: string;
  ip: string | null;
  createdAt: string;
  updatedAt: string;
}

export type BootMode = 'uefi' | 'legacy';

export interface DiskGroup {
  diskGroupId: number;
  /** OVH's diskType: SSD, NVMe, SATA, SAS... */
  diskType: string;
  raidController: string | null;
  disks: Disk[];
}

export interface Disk {
  sizeBytes: number;
  /** Device the agent writes in rescue (e.g. /dev/nvme0n1); optional, the agent can find it by size. */
  device?: string;
  /** Backing file of a virtual server's disk (the `local` and `qemu` drivers). */
  path?: string;
  /** Serial number and World Wide Name: how the installer tells this disk from others of the same size. */
  serial?: string;
  wwn?: string;
}

/** The disk a reinstall writes to: the first disk of the chosen group (OVH BYOI: "the first disk of the target disk group"). */
export interface TargetDisk {
  diskGroupId: number;
  sizeBytes: number;
  device?: string;
  path?: string;
  serial?: string;
  wwn?: string;
}
