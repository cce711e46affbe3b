import { createFileSource } from '../source/file-source.ts';
import { createHttpSource } from '../source/http-source.ts';
import type { DownloadEventListener } from '../source/download-events.ts';
import type { ImageSource } from '../source/image-source.ts';
import type { HttpHeader } from '../../contract/request/install-request.ts';
import type { DeployHttpOptions } from './deploy-options.ts';

export interface OpenImageSourceOptions {
  httpHeaders: readonly HttpHeader[];
  extraCaPem: string | undefined;
  http: DeployHttpOptions;
  onEvent: DownloadEventListener;
}

/**
 * The source for an image location: an http(s) URL gets the HTTP source (the user's headers, extra CA, timeouts);
 * a file:// URL or anything else is a local path. Nothing is sent or opened here.
 */
export function openImageSource(image: string | URL, options: OpenImageSourceOptions): ImageSource {
  const location = image instanceof URL ? image.href : image;
  if (/^https?:\/\//i.test(location)) {
    return createHttpSource({
      url: location,
      headers: options.httpHeaders,
      ...(options.extraCaPem === undefined ? {} : { extraCaPem: options.extraCaPem }),
      ...options.http,
      onEvent: options.onEvent,
    });
  }
  return createFileSource(image);
}
