import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { FatVolume } from './open-fat-volume.ts';
import { readFatEntry } from './read-fat-entry.ts';

/** FORMAT.md "FAT entries": the smallest end-of-chain mark and the bad-cluster mark of each FAT type. */
const END_OF_CHAIN = { 12: 0xff8, 16: 0xfff8, 32: 0x0ffffff8 } as const;
const BAD_CLUSTER = { 12: 0xff7, 16: 0xfff7, 32: 0x0ffffff7 } as const;

export interface ClusterChainLimits {
  /** Stop after this many clusters (a file needs ceil(size / bytesPerCluster) of them); the rest is not read. */
  want?: number;
  /** Throw when the chain is longer than this (a directory may not exceed 2 MiB). Defaults to the cluster count. */
  max?: number;
  /** What is being read, for messages: "FAT directory \EFI", "FAT file \EFI\BOOT\BOOTX64.EFI". */
  structure: string;
}

/**
 * Follows the cluster chain that starts at `first` and returns its cluster numbers in order.
 *
 * Never hangs: a cluster seen twice is a loop, and every cluster must be within 2 .. clusterCount + 1, so at
 * most clusterCount clusters are visited. A free, bad or out-of-range link, a loop, or a chain longer than
 * `limits.max` throws BYOI_IMAGE_INVALID; a chain that ends before `limits.want` clusters throws as well.
 */
export async function readClusterChain(volume: FatVolume, first: number, limits: ClusterChainLimits): Promise<number[]> {
  const bs = volume.bootSector;
  const lastCluster = bs.clusterCount + 1;
  const max = Math.min(limits.max ?? bs.clusterCount, bs.clusterCount);
  const invalid = (reason: string): ByoiError =>
    new ByoiError('BYOI_IMAGE_INVALID', { structure: limits.structure, reason });

  const chain: number[] = [];
  const seen = new Set<number>();
  let cluster = first;
  for (;;) {
    if (cluster < 2 || cluster > lastCluster) {
      throw invalid(`the cluster chain points to cluster ${cluster}, outside clusters 2..${lastCluster}`);
    }
    if (seen.has(cluster)) throw invalid(`the cluster chain loops back to cluster ${cluster}`);
    if (chain.length >= max) throw invalid(`the cluster chain is longer than ${max} clusters`);
    seen.add(cluster);
    chain.push(cluster);
    if (limits.want !== undefined && chain.length >= limits.want) return chain;

    const next = await readFatEntry(volume, cluster);
    if (next >= END_OF_CHAIN[bs.fatType]) break;
    if (next === BAD_CLUSTER[bs.fatType]) throw invalid(`cluster ${cluster} links to a cluster marked bad`);
    if (next === 0) throw invalid(`cluster ${cluster} links to a free cluster`);
    cluster = next;
  }
  if (limits.want !== undefined && chain.length < limits.want) {
    throw invalid(`the cluster chain has ${chain.length} clusters but the size needs ${limits.want}`);
  }
  return chain;
}
