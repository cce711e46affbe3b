import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ImageWriter } from '../sink/image-writer.ts';
import type { StreamDecoder } from './stream-decoder.ts';

export interface RawDecoderOptions {
  /** Size of the disk; an image that grows past it fails with the catalogue's size message. */
  diskSize: number;
  /** Disk name for the size message. */
  diskName: string;
}

/** A raw image is its own guest: byte n of the file is byte n of the disk. */
export function createRawDecoder(writer: ImageWriter, options: RawDecoderOptions): StreamDecoder {
  let offset = 0;
  return {
    async push(chunk: Uint8Array): Promise<void> {
      if (offset + chunk.length > options.diskSize) {
        throw new ByoiError('BYOI_IMAGE_TOO_LARGE', {
          imageSize: `more than ${options.diskSize}`,
          device: options.diskName,
          deviceSize: options.diskSize,
        });
      }
      await writer.write(offset, chunk);
      offset += chunk.length;
    },
    async end(): Promise<void> {
      await writer.flush();
    },
  };
}
