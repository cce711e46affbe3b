/**
 * The hash worker's code. It is a string run with `new Worker(source, { eval: true })` because it needs no loader
 * that way: a worker does not inherit the TypeScript hooks that tsx registers in the main thread (bin/byoi.mjs,
 * the test runner), and a single-file bundle of the agent has no separate file to point a worker at. It uses
 * node built-ins only, loaded with `import()`, which works whether the code runs as a script or as a module (a
 * parent started with `--input-type=module` passes that on to its workers).
 *
 * Messages, answered in the order received (a worker's port is FIFO):
 * - `{ type: 'update', buffer, length }`: hashes the first `length` bytes of the transferred `buffer`, then
 *   transfers it back as `{ type: 'buffer', buffer }` for reuse;
 * - `{ type: 'checkpoint' }`: answers `{ type: 'checkpoint', digest }`, the digest of a copy of the state;
 * - `{ type: 'digest' }`: answers `{ type: 'digest', hex }`, the final digest.
 */
export const hashWorkerSource = `
Promise.all([import('node:worker_threads'), import('node:crypto')]).then(([{ parentPort, workerData }, { createHash }]) => {
  const hash = createHash(workerData.algorithm);
  parentPort.on('message', (message) => {
    if (message.type === 'update') {
      hash.update(new Uint8Array(message.buffer, 0, message.length));
      parentPort.postMessage({ type: 'buffer', buffer: message.buffer }, [message.buffer]);
    } else if (message.type === 'checkpoint') {
      parentPort.postMessage({ type: 'checkpoint', digest: hash.copy().digest() });
    } else if (message.type === 'digest') {
      parentPort.postMessage({ type: 'digest', hex: hash.digest('hex') });
    }
  });
});
`;
