import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createHttpSource } from '../../../../src/deploy/source/http-source.ts';
import { sourceReadAt } from '../../../../src/deploy/source/source-read-at.ts';
import { defaultEtag, pseudoRandomBytes, startMisbehavingServer } from '../../../helpers/misbehaving-http-server.ts';

const image = pseudoRandomBytes(256 * 1024, 11);

describe('sourceReadAt()', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  after(async () => {
    for (const thing of open.reverse()) await thing.close();
  });

  it('sourceReadAt() reads ranges pinned to the probed image and checks them against its size', async () => {
    const server = await startMisbehavingServer({ body: image });
    const source = createHttpSource({ url: server.url() });
    open.push(server, source);
    const view = sourceReadAt(source, await source.probe());
    assert.equal(view.size, image.length);
    assert.ok(Buffer.from(await view.readAt(512, 512)).equals(image.subarray(512, 1024)));
    assert.equal(server.requests.at(-1)?.ifRange, defaultEtag(image));
    await assert.rejects(view.readAt(image.length - 4, 8), { code: 'BYOI_IMAGE_TRUNCATED' });
  });

  it('sourceReadAt() refuses an image of unknown size', async () => {
    const server = await startMisbehavingServer({ body: image, headSize: null });
    const source = createHttpSource({ url: server.url() });
    open.push(server, source);
    const facts = await source.probe();
    assert.throws(() => sourceReadAt(source, facts), { code: 'BYOI_DOWNLOAD_FAILED' });
  });
});
