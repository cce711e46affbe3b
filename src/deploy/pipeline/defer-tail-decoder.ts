import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { StreamDecoder } from '../decode/stream-decoder.ts';

export interface DeferTailOptions {
  /** Bytes kept back at the end of the stream. */
  tailBytes: number;
  diskSize: number;
  diskName: string;
  /** Receives the kept-back tail once the stream ended: its offset in the image and its bytes. */
  onTail: (offset: number, bytes: Uint8Array) => Promise<void>;
}

/**
 * For a raw image whose size is unknown until its last byte (no Content-Length): passes the stream to `inner`
 * except the last `tailBytes`, which it keeps in memory and hands to `onTail` after the end. The pipeline holds
 * that tail back like the other partition-table regions, so the image's backup GPT too reaches the disk only at
 * the commit. The size against the disk is checked as the bytes arrive.
 */
export function deferTailDecoder(inner: StreamDecoder, options: DeferTailOptions): StreamDecoder {
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let received = 0;
  return {
    async push(chunk: Uint8Array): Promise<void> {
      if (received + chunk.length > options.diskSize) {
        throw new ByoiError('BYOI_IMAGE_TOO_LARGE', { imageSize: `more than ${options.diskSize}`, device: options.diskName, deviceSize: options.diskSize });
      }
      received += chunk.length;
      // A copy: the chunk is lent (downloadImage() reuses its buffer once this push returned).
      kept.push(chunk.slice());
      keptBytes += chunk.length;
      // Pass on whole chunks from the front while the rest still covers the tail.
      while (kept.length > 0 && keptBytes - (kept[0] as Uint8Array).length >= options.tailBytes) {
        const front = kept.shift() as Uint8Array;
        keptBytes -= front.length;
        await inner.push(front);
      }
    },
    async end(): Promise<void> {
      await inner.end();
      const tail = new Uint8Array(keptBytes);
      let at = 0;
      for (const part of kept) {
        tail.set(part, at);
        at += part.length;
      }
      await options.onTail(received - keptBytes, tail);
    },
  };
}
