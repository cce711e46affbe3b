import { createQcow2Decoder } from '../decode/qcow2/create-qcow2-decoder.ts';
import type { RangeRefetcher } from './range-refetcher.ts';
import type { DecoderFactory } from './write-image.ts';

export interface Qcow2DecoderSettings {
  /** Size of the image file, or null when the server does not say. */
  fileSize: number | null;
  /** Bytes of clusters the decoder may keep while it does not know yet where they go. */
  memoryBudgetBytes: number;
  /** Reads dropped clusters again at the end (Range requests, or a second streaming pass). */
  refetch: RangeRefetcher | null;
  signal: AbortSignal | undefined;
  /** The decoder's notices (buffering, memory budget reached, re-fetching): sentences without secrets. */
  onNotice: (message: string) => void;
}

/** The one-pass qcow2 decoder (src/deploy/decode/qcow2/) over the write phase's writer. */
export function qcow2DecoderFactory(settings: Qcow2DecoderSettings): DecoderFactory {
  return (writer) =>
    createQcow2Decoder(writer, {
      fileSize: settings.fileSize,
      memoryBudgetBytes: settings.memoryBudgetBytes,
      refetch: settings.refetch,
      ...(settings.signal === undefined ? {} : { signal: settings.signal }),
      onNotice: (message) => settings.onNotice(message),
    });
}
