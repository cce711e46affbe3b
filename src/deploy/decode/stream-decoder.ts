/**
 * A decoder turns the bytes of an image file, pushed in file order, into guest writes on an ImageWriter.
 * push() is awaited before the next chunk arrives (backpressure); end() is called once after the last byte
 * and resolves when every guest byte has been written or zeroed.
 */
export interface StreamDecoder {
  push(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
}
