import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { ensureSampleImage } from './sample-image.ts';

/** Where the demo images are served: GET /demo/images/sample-gpt.raw, .sha256, .sha512 (no authentication). */
export const demoImagesPrefix = '/demo/images/';

/** The directory of the demo images in a data directory. */
export function demoImagesDir(dataDir: string): string {
  return join(dataDir, 'images');
}

/**
 * Serves the sample image (made on first use, see sample-image.ts) and its digests, with HEAD, Range, If-Range and
 * ETag as an image server should, so the agent's resume logic works against it too.
 */
export function demoImagesPlugin(dataDir: string) {
  return async function demoImages(app: FastifyInstance): Promise<void> {
    const dir = demoImagesDir(dataDir);
    ensureSampleImage(dir);
    await app.register(fastifyStatic, { root: dir, prefix: demoImagesPrefix, decorateReply: false, index: false, list: false, cacheControl: false });
  };
}
