/**
 * The zstd worker's code, run with `new Worker(source, { eval: true })` (no TypeScript loader is needed in the
 * worker; see src/deploy/digest/_hash-worker-source.ts for why). `workerData.fzstd` is the URL of fzstd's ES
 * module, resolved by the main thread.
 *
 * Message `{ id, frame, clusterSize }` (frame transferred): decodes the one zstd frame, stopping as soon as the
 * output would pass one cluster, as decompressZstdCluster() does, and answers `{ id, cluster }` (transferred) when
 * it made exactly one cluster, else `{ id, cluster: null }`: the main thread then decodes the cluster itself, so
 * that every refusal has its canonical reason.
 */
export const zstdWorkerSource = `
import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  const { Decompress } = await import(workerData.fzstd);
  parentPort.on('message', ({ id, frame, clusterSize }) => {
    const out = new Uint8Array(clusterSize);
    let produced = 0;
    let ok = true;
    try {
      const decoder = new Decompress((chunk) => {
        if (produced + chunk.length > clusterSize) throw new RangeError('more than one cluster');
        out.set(chunk, produced);
        produced += chunk.length;
      });
      decoder.push(new Uint8Array(frame), true);
    } catch {
      ok = false;
    }
    if (ok && produced === clusterSize) parentPort.postMessage({ id, cluster: out.buffer }, [out.buffer]);
    else parentPort.postMessage({ id, cluster: null });
  });
});
`;
