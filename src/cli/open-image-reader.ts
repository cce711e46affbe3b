import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChecksumType, HttpHeader } from '../contract/request/install-request.ts';
import { cachedReadAt, type CachedReadAt } from '../image/cached-read-at.ts';
import { digestReadAt } from '../image/inspect/digest-read-at.ts';
import type { InspectResult } from '../image/inspect-result.ts';
import type { ReadAt } from '../image/read-at.ts';
import type { DownloadEvent } from '../deploy/source/download-events.ts';
import { downloadImage } from '../deploy/source/download-image.ts';
import { createFileSource } from '../deploy/source/file-source.ts';
import { createHttpSource } from '../deploy/source/http-source.ts';
import type { ImageSource, SourceFacts } from '../deploy/source/image-source.ts';
import { sourceReadAt } from '../deploy/source/source-read-at.ts';

export interface OpenImageOptions {
  /** Request headers for an HTTP(S) image; never shown. */
  headers?: readonly HttpHeader[];
  /** Extra CA certificates (PEM) for an HTTPS image behind a private CA. */
  extraCaPem?: string;
  /**
   * The checksum type the caller will ask `digest()` for: a full download (no Range support) hashes with it on
   * the way, so the file is not read twice. @default 'sha256'
   */
  checksumType?: ChecksumType;
  signal?: AbortSignal;
  /** Sentences for the person waiting ("the server does not support HTTP Range requests: ..."). */
  onNote?: (note: string) => void;
}

/** An image opened for inspection. Close it: a temporary download is deleted then. */
export interface OpenedImage {
  /** Display form of the location: a path, or a URL without userinfo and query string. */
  readonly source: string;
  /** The image file, read through a block cache (over HTTP: a few Range requests). */
  readonly file: CachedReadAt;
  /**
   * The digest of the whole file, when it is local (or was downloaded whole anyway); null for an image read by
   * HTTP Range requests, whose checksum the deploy verifies while downloading.
   */
  readonly digest: ((algorithm: ChecksumType) => Promise<string>) | null;
  /** How the bytes were read so far, for InspectResult.access. */
  access(): InspectResult['access'];
  close(): Promise<void>;
}

/**
 * Opens a local path, a `file://` URL or an http(s) URL for positional reads, through the same sources the deploy
 * uses (createFileSource(), createHttpSource()):
 *
 * - a local file: read through a block cache; its digest is computed on demand;
 * - an HTTP(S) image whose server serves byte ranges and says its size: read by Range requests through
 *   cachedReadAt(), so an inspection costs a handful of requests (counted in `access()`);
 * - otherwise: the whole image is downloaded once, hashed on the way, into a temporary file (never into memory),
 *   which is then read like a local file and deleted by close(). `onNote` says so first.
 *
 * @throws BYOI_DOWNLOAD_FAILED ("Could not download image: HTTP 401 Unauthorized"...), BYOI_DEPLOY_CANCELLED
 *
 * @example
 * ```ts
 * const image = await openImageReader('https://images.example/debian.qcow2', { headers });
 * try { await inspectImage(image.file); image.access(); } finally { await image.close(); }
 * ```
 */
export async function openImageReader(location: string, options: OpenImageOptions = {}): Promise<OpenedImage> {
  if (!/^https?:\/\//i.test(location)) return openLocal(location, { method: 'file', requests: 0, bytes: 0 });

  // Requests the cache cannot see: redirect hops and retried attempts inside one readRange() or probe().
  let hiddenRequests = 0;
  const source = createHttpSource({
    url: location,
    headers: options.headers ?? [],
    ...(options.extraCaPem === undefined ? {} : { extraCaPem: options.extraCaPem }),
    onEvent: (event: DownloadEvent) => {
      if (event.type === 'download.redirect' || event.type === 'download.retry') hiddenRequests += 1;
    },
  });
  try {
    const facts = await source.probe(options.signal === undefined ? {} : { signal: options.signal });
    if (facts.acceptsRanges && facts.size !== null) {
      const file = cachedReadAt(sourceReadAt(source, facts, options.signal));
      return {
        source: source.displayName,
        file,
        digest: null,
        access: () => ({ method: 'http-range', requests: 1 + hiddenRequests + file.stats.reads, bytesRead: file.stats.bytesRead }),
        close: () => source.close(),
      };
    }
    const why = facts.size === null ? 'does not announce the image size' : 'does not support HTTP Range requests';
    options.onNote?.(
      `the server ${why}: downloading the whole image${facts.size === null ? '' : ` (${facts.size} bytes)`} to a temporary file, deleted afterwards`,
    );
    const downloaded = await downloadToTemp(source, facts, options);
    await source.close();
    const opened = await openLocal(downloaded.path, { method: 'http-full', requests: 1 + hiddenRequests + downloaded.requests, bytes: downloaded.bytes }, downloaded);
    return { ...opened, source: source.displayName };
  } catch (error) {
    await source.close();
    throw error;
  }
}

interface Download {
  dir: string;
  path: string;
  requests: number;
  bytes: number;
  digest: { algorithm: ChecksumType; hex: string };
}

async function downloadToTemp(source: ImageSource, facts: SourceFacts, options: OpenImageOptions): Promise<Download> {
  const dir = await mkdtemp(join(tmpdir(), 'byoi-inspect-'));
  const path = join(dir, 'image');
  try {
    const algorithm = options.checksumType ?? 'sha256';
    const download = downloadImage(source, { facts, algorithm, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    const handle = await open(path, 'wx', 0o600);
    try {
      let position = 0;
      for await (const chunk of download) {
        await handle.write(chunk, 0, chunk.length, position);
        position += chunk.length;
      }
    } finally {
      await handle.close();
    }
    const result = download.result;
    return { dir, path, requests: result.requests, bytes: result.bytes, digest: { algorithm: result.digest.algorithm, hex: result.digest.hex } };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function openLocal(
  location: string,
  counted: { method: InspectResult['access']['method']; requests: number; bytes: number },
  download?: Download,
): Promise<OpenedImage> {
  const source = createFileSource(location);
  try {
    const facts = await source.probe();
    const plain: ReadAt = sourceReadAt(source, facts);
    const file = cachedReadAt(plain);
    return {
      source: source.displayName,
      file,
      digest: async (algorithm) =>
        download !== undefined && download.digest.algorithm === algorithm ? download.digest.hex : digestReadAt(plain, algorithm),
      access: () =>
        counted.method === 'file'
          ? { method: 'file', requests: file.stats.reads, bytesRead: file.stats.bytesRead }
          : { method: counted.method, requests: counted.requests, bytesRead: counted.bytes },
      close: async () => {
        await source.close();
        if (download !== undefined) await rm(download.dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await source.close();
    if (download !== undefined) await rm(download.dir, { recursive: true, force: true });
    throw error;
  }
}
