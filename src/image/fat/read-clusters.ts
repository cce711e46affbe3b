import { clusterOffset, type FatVolume } from './open-fat-volume.ts';

/** Largest single read: runs of contiguous clusters longer than this are split. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

/**
 * Reads the first `byteLength` bytes of the data held by `clusters` (cluster numbers already checked by
 * readClusterChain()). Contiguous clusters are read together, so an unfragmented file costs one read.
 */
export async function readClusters(volume: FatVolume, clusters: readonly number[], byteLength: number): Promise<Uint8Array> {
  const bytesPerCluster = volume.bootSector.bytesPerCluster;
  const out = new Uint8Array(byteLength);
  let filled = 0;
  let i = 0;
  while (i < clusters.length && filled < byteLength) {
    const start = clusters[i] as number;
    let run = 1;
    while (
      i + run < clusters.length &&
      clusters[i + run] === start + run &&
      (run + 1) * bytesPerCluster <= MAX_READ_BYTES &&
      filled + run * bytesPerCluster < byteLength
    ) {
      run++;
    }
    const wanted = Math.min(run * bytesPerCluster, byteLength - filled);
    out.set(await volume.source.readAt(clusterOffset(volume, start), wanted), filled);
    filled += wanted;
    i += run;
  }
  return out;
}
