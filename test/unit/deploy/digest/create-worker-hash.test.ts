import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createWorkerHash } from '../../../../src/deploy/digest/create-worker-hash.ts';
import { createInlineHash } from '../../../../src/deploy/digest/running-hash.ts';
import type { DigestAlgorithm } from '../../../../src/deploy/source/download-events.ts';
import { pseudoRandomBytes } from '../../../helpers/misbehaving-http-server.ts';

const algorithms: DigestAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512'];
const data = pseudoRandomBytes(3 * 1024 * 1024 + 4321, 7);

/** Cuts `bytes` into chunks of the given sizes, repeated. */
function chunked(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0, i = 0; offset < bytes.length; i += 1) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

describe('createWorkerHash()', () => {
  it('createWorkerHash() gives the digest of node:crypto for every algorithm and chunking', async () => {
    const chunkings = [[data.length], [1], [65536], [1, 4095, 70_000, 0, 1_048_576], [333_333]];
    const batchings = [{}, { batchBytes: 1000, batches: 2 }, { batchBytes: 65536, batches: 3 }];
    for (const algorithm of algorithms) {
      // Every chunking and batching with sha256; one mixed chunking and small batches for the other algorithms.
      const sizeSets = algorithm === 'sha256' ? chunkings : [[1, 4095, 70_000, 0, 1_048_576]];
      const optionSets = algorithm === 'sha256' ? batchings : [{ batchBytes: 65536, batches: 3 }];
      for (const sizes of sizeSets) {
        for (const options of optionSets) {
          // Byte by byte, or 1000-byte batches, over 3 MiB is slow for no gain: a shorter input shows the same.
          const bytes = sizes[0] === 1 && sizes.length === 1 ? data.subarray(0, 20_000) : options.batchBytes === 1000 ? data.subarray(0, 150_001) : data;
          const want = createHash(algorithm).update(bytes).digest('hex');
          const hash = createWorkerHash(algorithm, options);
          try {
            for (const chunk of chunked(bytes, sizes)) await hash.update(chunk);
            assert.equal(await hash.digest(), want, `${algorithm} ${JSON.stringify(sizes)} ${JSON.stringify(options)}`);
          } finally {
            hash.close();
          }
        }
      }
    }
  });

  it('lend() and hashLent() keep the order of update() and checkpoint(), for both kinds of hash', async () => {
    const kinds = [
      { name: 'worker', make: () => createWorkerHash('sha256', { batchBytes: 65536, batches: 3 }) },
      { name: 'inline', make: () => createInlineHash('sha256', { batchBytes: 65536 }) },
    ];
    for (const kind of kinds) {
      const hash = kind.make();
      const reference = createHash('sha256');
      try {
        for (const [i, chunk] of chunked(data, [70_000, 1, 65536, 4095]).entries()) {
          if (i % 3 === 0) {
            await hash.update(chunk);
          } else {
            // What downloadImage() does: gather into a lent buffer, use it, give it back.
            const lent = await hash.lend();
            const length = Math.min(chunk.length, lent.length);
            lent.set(chunk.subarray(0, length));
            hash.hashLent(lent, length);
            if (length < chunk.length) await hash.update(chunk.subarray(length));
          }
          reference.update(chunk);
          if (i === 7) assert.deepEqual(Buffer.from(await hash.checkpoint()), reference.copy().digest(), `${kind.name} checkpoint`);
        }
        assert.equal(await hash.digest(), reference.digest('hex'), kind.name);
      } finally {
        hash.close();
      }
    }
  });

  it('createWorkerHash() digests an empty input', async () => {
    for (const algorithm of algorithms) {
      const hash = createWorkerHash(algorithm);
      assert.equal(await hash.digest(), createHash(algorithm).digest('hex'));
      hash.close();
    }
  });

  it('createWorkerHash() checkpoint() equals Hash.copy().digest() at that point and the hash goes on', async () => {
    for (const algorithm of algorithms) {
      const reference = createHash(algorithm);
      const hash = createWorkerHash(algorithm, { batchBytes: 100_000, batches: 2 });
      try {
        for (const chunk of chunked(data, [250_000, 1, 77_777])) {
          reference.update(chunk);
          await hash.update(chunk);
          if (chunk.length === 1) assert.deepEqual(Buffer.from(await hash.checkpoint()), reference.copy().digest());
        }
        assert.equal(await hash.digest(), reference.digest('hex'));
      } finally {
        hash.close();
      }
    }
  });

  it('createWorkerHash() does not keep the caller from changing a chunk once update() settled', async () => {
    const hash = createWorkerHash('sha256', { batchBytes: 4096, batches: 2 });
    const chunk = new Uint8Array(10_000).fill(1);
    await hash.update(chunk);
    chunk.fill(2);
    assert.equal(await hash.digest(), createHash('sha256').update(new Uint8Array(10_000).fill(1)).digest('hex'));
    hash.close();
  });

  it('createWorkerHash() rejects pending and later calls once closed (cancellation)', async () => {
    const hash = createWorkerHash('sha512', { batchBytes: 1024, batches: 2 });
    // Far more than two batches: this update waits for the worker, and close() ends that wait.
    const pending = hash.update(data);
    hash.close();
    await assert.rejects(pending, /closed/);
    await assert.rejects(hash.update(new Uint8Array(1)), /closed/);
    await assert.rejects(hash.digest(), /closed/);
    hash.close();
  });

  it('createWorkerHash() cannot be used after its digest was taken', async () => {
    const hash = createWorkerHash('sha1');
    await hash.update(new Uint8Array([1, 2, 3]));
    await hash.digest();
    await assert.rejects(hash.update(new Uint8Array(1)), /digest was taken/);
    hash.close();
  });

  it('createWorkerHash() does not hold the process open when it is abandoned', () => {
    const url = new URL('../../../../src/deploy/digest/create-worker-hash.ts', import.meta.url).href;
    const script = `const { createWorkerHash } = await import(${JSON.stringify(url)});
      const hash = createWorkerHash('sha256', { batchBytes: 1024, batches: 2 });
      await hash.update(new Uint8Array(5000));
      console.log('updated');`;
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'updated');
    assert.ok(performance.now() - started < 20_000);
  });

  it('createWorkerHash() checks its options', () => {
    assert.throws(() => createWorkerHash('sha256', { batchBytes: 0 }), RangeError);
    assert.throws(() => createWorkerHash('sha256', { batches: 1 }), RangeError);
  });
});

describe('createInlineHash()', () => {
  it('createInlineHash() gives the digest and checkpoints of node:crypto', async () => {
    for (const algorithm of algorithms) {
      const reference = createHash(algorithm);
      const hash = createInlineHash(algorithm);
      for (const chunk of chunked(data, [500_000, 3])) {
        reference.update(chunk);
        await hash.update(chunk);
      }
      assert.deepEqual(Buffer.from(await hash.checkpoint()), reference.copy().digest());
      assert.equal(await hash.digest(), reference.digest('hex'));
      hash.close();
    }
  });
});
