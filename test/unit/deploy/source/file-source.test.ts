import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { downloadImage } from '../../../../src/deploy/source/download-image.ts';
import { createFileSource } from '../../../../src/deploy/source/file-source.ts';
import { pseudoRandomBytes } from '../../../helpers/misbehaving-http-server.ts';
import { tempDir } from '../../../helpers/tools.ts';

const image = pseudoRandomBytes(3 * 1024 * 1024 + 17, 5);

describe('createFileSource()', () => {
  it('createFileSource() probes and streams a file given by path or file:// URL', async (t) => {
    const path = join(tempDir(t), 'disk image.raw');
    writeFileSync(path, image);
    for (const location of [path, pathToFileURL(path).href, pathToFileURL(path)]) {
      const source = createFileSource(location, { chunkBytes: 256 * 1024 });
      const facts = await source.probe();
      assert.equal(facts.size, image.length);
      assert.equal(facts.acceptsRanges, true);
      assert.equal(facts.finalUrl, path);
      assert.match(facts.etag ?? '', /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
      const download = downloadImage(source, { facts, algorithm: 'sha512' });
      const chunks: Uint8Array[] = [];
      for await (const chunk of download) chunks.push(chunk.slice());
      assert.ok(Buffer.concat(chunks).equals(image));
      assert.equal(download.result.digest.hex, createHash('sha512').update(image).digest('hex'));
      assert.equal(download.result.requests, 1);
      await source.close();
    }
  });

  it('readRange() returns exactly the bytes asked for and refuses to read past the end', async (t) => {
    const path = join(tempDir(t), 'image.raw');
    writeFileSync(path, image);
    const source = createFileSource(path);
    await source.probe();
    assert.ok(Buffer.from(await source.readRange(510, 1000)).equals(image.subarray(510, 1510)));
    await assert.rejects(source.readRange(image.length - 1, 2), { code: 'BYOI_IMAGE_TRUNCATED' });
    await source.close();
  });

  it('openStream() restarts from byte 0 when the file changed since the probe', async (t) => {
    const path = join(tempDir(t), 'image.raw');
    writeFileSync(path, image);
    const source = createFileSource(path);
    const facts = await source.probe();
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(path, pseudoRandomBytes(image.length, 6));
    const stream = await source.openStream(4096, { ifRange: facts.etag });
    assert.equal(stream.restartedFromZero, true);
    assert.equal(stream.restartReason, 'validator-changed');
    assert.equal(stream.start, 0);
    stream.cancel();
    await assert.rejects(source.readRange(0, 16), { message: 'Could not download image: the image changed on the server during the download' });
    await source.close();
  });

  it('openStream() resumes at an offset of an unchanged file', async (t) => {
    const path = join(tempDir(t), 'image.raw');
    writeFileSync(path, image);
    const source = createFileSource(path);
    await source.probe();
    const stream = await source.openStream(1000);
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream.body) chunks.push(chunk);
    assert.ok(Buffer.concat(chunks).equals(image.subarray(1000)));
    await source.close();
  });

  it('createFileSource() reports a missing file or a directory readably', async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'folder'));
    await assert.rejects(createFileSource(join(dir, 'missing.raw')).probe(), {
      code: 'BYOI_DOWNLOAD_FAILED',
      message: `Could not download image: no such file: ${join(dir, 'missing.raw')}`,
    });
    await assert.rejects(createFileSource(join(dir, 'folder')).probe(), {
      message: `Could not download image: ${join(dir, 'folder')} is not a regular file`,
    });
    assert.throws(() => createFileSource(''), TypeError);
    assert.throws(() => createFileSource('x', { chunkBytes: 0 }), RangeError);
  });
});
