import { open, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { DownloadError, cancelledError } from './download-error.ts';
import type { ImageSource, OpenStreamOptions, ReadRangeOptions, SourceFacts, SourceStream } from './image-source.ts';

export interface FileSourceOptions {
  /** Size of each chunk read from the file. @default 1048576 (1 MiB) */
  chunkBytes?: number;
}

/**
 * An ImageSource over a local file (a path or a `file://` URL), for `byoi deploy --image ./disk.qcow2`, demo
 * servers and tests. It behaves like a server with Range support: its "ETag" is made of the file's inode, size
 * and modification time, so a file replaced or rewritten during a download is detected the same way as a changed
 * HTTP resource (a resume restarts from byte 0 and the prefix is compared).
 *
 * @example
 * ```ts
 * const source = createFileSource('file:///srv/images/debian.raw');
 * const facts = await source.probe(); // { size: 2147483648, acceptsRanges: true, ... }
 * ```
 */
export function createFileSource(location: string | URL, options: FileSourceOptions = {}): ImageSource {
  const path = filePath(location);
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 256 * 1024 * 1024) {
    throw new RangeError(`Cannot create the file source: chunkBytes is ${String(chunkBytes)}, expected 1 to 268435456`);
  }
  let lastFacts: SourceFacts | null = null;
  const handles = new Set<FileHandle>();

  async function openFile(): Promise<{ handle: FileHandle; size: number; etag: string; lastModified: string }> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw fileError(path, error);
    }
    try {
      const info = await handle.stat({ bigint: true });
      if (!info.isFile()) throw new DownloadError('BYOI_DOWNLOAD_FAILED', `${path} is not a regular file`);
      handles.add(handle);
      return {
        handle,
        size: Number(info.size),
        etag: `"${info.ino.toString(16)}-${info.size.toString(16)}-${info.mtimeNs.toString(16)}"`,
        lastModified: new Date(Number(info.mtimeMs)).toUTCString(),
      };
    } catch (error) {
      await handle.close();
      throw error instanceof ByoiError ? error : fileError(path, error);
    }
  }

  async function release(handle: FileHandle): Promise<void> {
    if (!handles.delete(handle)) return;
    await handle.close().catch(() => undefined);
  }

  function validatorOf(given: string | null | undefined): string | null {
    if (given !== undefined) return given;
    return lastFacts?.etag ?? null;
  }

  return {
    displayName: path,

    async probe() {
      const file = await openFile();
      await release(file.handle);
      lastFacts = {
        size: file.size,
        acceptsRanges: true,
        etag: file.etag,
        lastModified: file.lastModified,
        finalUrl: path,
        contentType: null,
      };
      return lastFacts;
    },

    async readRange(offset: number, length: number, rangeOptions: ReadRangeOptions = {}) {
      checkOffset('offset', offset);
      checkOffset('length', length);
      const validator = validatorOf(rangeOptions.ifRange);
      const file = await openFile();
      try {
        if (validator !== null && validator !== file.etag && validator !== file.lastModified) {
          throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'the image changed on the server during the download', {
            detail: `${path} was modified since it was probed`,
          });
        }
        if (offset + length > file.size) {
          throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size: file.size, needed: offset + length });
        }
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          rangeOptions.signal?.throwIfAborted();
          const { bytesRead } = await readAt(file.handle, out, done, length - done, offset + done);
          if (bytesRead === 0) throw new ByoiError('BYOI_IMAGE_TRUNCATED', { structure: 'image', size: offset + done, needed: offset + length });
          done += bytesRead;
        }
        return out;
      } catch (error) {
        if (rangeOptions.signal?.aborted) throw cancelledError(rangeOptions.signal);
        throw error;
      } finally {
        await release(file.handle);
      }
    },

    async openStream(offset: number, streamOptions: OpenStreamOptions = {}): Promise<SourceStream> {
      checkOffset('offset', offset);
      const signal = streamOptions.signal;
      if (signal?.aborted) throw cancelledError(signal);
      const validator = offset > 0 ? validatorOf(streamOptions.ifRange) : null;
      const file = await openFile();
      // Like an HTTP server whose If-Range no longer matches: the whole current file, from byte 0.
      const restarted = validator !== null && validator !== file.etag && validator !== file.lastModified;
      const start = restarted ? 0 : Math.min(offset, file.size);
      async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
        try {
          for (let position = start; ; ) {
            if (signal?.aborted) throw cancelledError(signal);
            // A fresh buffer per chunk: consumers may keep chunks (the source never reuses them).
            const buffer = new Uint8Array(chunkBytes);
            const { bytesRead } = await readAt(file.handle, buffer, 0, chunkBytes, position);
            if (bytesRead === 0) return;
            position += bytesRead;
            yield buffer.subarray(0, bytesRead);
          }
        } catch (error) {
          if (signal?.aborted) throw cancelledError(signal);
          throw error;
        } finally {
          await release(file.handle);
        }
      }
      return {
        start,
        restartedFromZero: restarted && offset > 0,
        restartReason: restarted ? 'validator-changed' : null,
        size: file.size,
        framing: 'length',
        etag: file.etag,
        lastModified: file.lastModified,
        body: body(),
        cancel: () => {
          void release(file.handle);
        },
      };
    },

    async close() {
      await Promise.all([...handles].map((handle) => release(handle)));
    },
  };

  async function readAt(handle: FileHandle, buffer: Uint8Array, at: number, length: number, position: number): Promise<{ bytesRead: number }> {
    try {
      return await handle.read(buffer, at, length, position);
    } catch (error) {
      throw fileError(path, error);
    }
  }
}

function filePath(location: string | URL): string {
  if (location instanceof URL || location.startsWith('file:')) {
    try {
      return fileURLToPath(location);
    } catch {
      throw new DownloadError('BYOI_DOWNLOAD_FAILED', 'the image URL is not a valid file:// URL');
    }
  }
  if (typeof location !== 'string' || location === '') throw new TypeError('Cannot create the file source: expected a path or a file:// URL');
  return location;
}

function fileError(path: string, error: unknown): DownloadError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    code === 'ENOENT' ? `no such file: ${path}`
    : code === 'EACCES' || code === 'EPERM' ? `permission denied reading ${path}`
    : code === 'EISDIR' ? `${path} is not a regular file`
    : `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`;
  return new DownloadError('BYOI_DOWNLOAD_FAILED', reason, { cause: error });
}

function checkOffset(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot read the image: ${name} is ${String(value)}, expected a non-negative integer`);
  }
}
