/**
 * Kernel modules the rescue system carries (with everything they depend on): the disk controllers and NICs of
 * common servers and of QEMU. The init loads the ones whose devices are present (modalias). Drivers that need
 * firmware files (bnx2, bnx2x, some r8169 and ice features) are kept, but Debian's non-free firmware is not
 * included: such NICs need a rescue built with it (docs/OPERATIONS.md "The rescue system").
 */
export const rescueModules: readonly string[] = [
  // disks: QEMU, SATA/AHCI, NVMe, SAS/RAID HBAs in IT or passthrough mode
  'virtio_pci',
  'virtio_blk',
  'virtio_scsi',
  'sd_mod',
  'ahci',
  'ata_piix',
  'ata_generic',
  'nvme',
  'megaraid_sas',
  'mpt3sas',
  'smartpqi',
  'hpsa',
  'aacraid',
  'isci',
  // NICs: QEMU, Intel, Broadcom, Mellanox/NVIDIA, Realtek, VMware, Marvell/QLogic, Emulex, Aquantia, Solarflare
  'virtio_net',
  'e1000',
  'e1000e',
  'igb',
  'igc',
  'ixgbe',
  'i40e',
  'ice',
  'bnxt_en',
  'tg3',
  'bnx2',
  'bnx2x',
  'mlx4_en',
  'mlx5_core',
  'r8169',
  'vmxnet3',
  'qede',
  'be2net',
  'atlantic',
  'sfc',
  // DHCP needs AF_PACKET (built in on Debian, a module elsewhere)
  'af_packet',
];
