import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ByoiError, isByoiError } from '../../../contract/errors/byoi-error.ts';
import { validateDiskGroupId } from '../../../contract/request/validate-disk-group-id.ts';
import { validateEfiBootloaderPath } from '../../../contract/request/validate-efi-bootloader-path.ts';
import { validateHttpHeaders } from '../../../contract/request/validate-http-headers.ts';
import { validateImageType } from '../../../contract/request/validate-image-type.ts';
import { validateImageUrl } from '../../../contract/request/validate-image-url.ts';
import { cachedReadAt } from '../../../image/cached-read-at.ts';
import type { InspectResult } from '../../../image/inspect-result.ts';
import { inspectImage, type InspectExpectations } from '../../../image/inspect/inspect-image.ts';
import { toInspectResult } from '../../../image/inspect/to-inspect-result.ts';
import type { ReadAt } from '../../../image/read-at.ts';
// The control plane reads images only here, with the deploy's own HTTP source and preflight view, so the panel's
// inspection sees exactly what the installer's preflight will see.
import { imageReadAt } from '../../../deploy/pipeline/image-read-at.ts';
import { createHttpSource } from '../../../deploy/source/http-source.ts';
import { sourceReadAt } from '../../../deploy/source/source-read-at.ts';
import { targetDiskOf } from '../../tasks/task-service.ts';
import { createRequestLimiter } from '../request-limiter.ts';
import { requireServer } from '../require-server.ts';
import { errorResponses } from '../schemas/error-schema.ts';
import { InspectBodySchema, InspectResultSchema } from '../schemas/inspect-schemas.ts';
import { ServiceNameParamsSchema } from '../schemas/server-schemas.ts';

/** Bytes an inspection may fetch from the image server (a real image needs 1 to 3 MiB). */
export const inspectMaxBytes = 64 * 1024 * 1024;
/** How long an inspection may take in all. */
export const inspectTimeoutMs = 60_000;

/**
 * `POST /dedicated/server/{serviceName}/byoi/inspect` (a byoi extension, for the panel's "Inspect image"): reads
 * the image at imageURL with a few HTTP Range requests, as the installer's preflight does, and says what it is
 * and what it would hit on this server's disk group (size, boot mode, config drive room, EFI path): the same
 * InspectResult as `byoi inspect --json`. Nothing is written, and the image is never downloaded whole: without
 * Range support only its first 8 MiB are read and the rest is listed as unchecked.
 *
 * Bounded, because it makes the control plane fetch a URL: the caller must own the server; one inspection at a
 * time per account, 3 in all, 20 a minute per account (429 BYOI_API_TOO_MANY_REQUESTS); at most
 * inspectMaxBytes fetched and inspectTimeoutMs spent. Header values are secrets here as in an install: never
 * returned, never logged.
 */
export const imageInspectRoute: FastifyPluginAsyncTypebox = async (app) => {
  const limiter = createRequestLimiter({ perAccount: 1, total: 3, perMinute: 20 });

  app.post(
    '/dedicated/server/:serviceName/byoi/inspect',
    {
      schema: {
        summary: 'Inspect an image for this server before installing it (byoi extension)',
        description:
          'Reads the image with HTTP Range requests and answers its format, size, partitions, EFI loaders and the problems it would hit on the disk group, with the catalogue messages. Nothing is written. Limited per account (429).',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        body: InspectBodySchema,
        response: { 200: InspectResultSchema, ...errorResponses(429) },
      },
    },
    async (request, reply): Promise<InspectResult> => {
      const server = await requireServer(request, request.params.serviceName);
      const body = request.body;
      // The install request's own validators, in its order, before any I/O.
      const url = validateImageUrl(body.imageURL);
      const imageType = body.imageType === undefined || body.imageType === null || body.imageType === '' ? null : validateImageType(body.imageType);
      const headers = validateHttpHeaders(Object.entries(body.httpHeaders ?? {}).map(([name, value]) => ({ name, value })));
      const efiPath = body.efiBootloaderPath === undefined || body.efiBootloaderPath === null || body.efiBootloaderPath === '' ? null : validateEfiBootloaderPath(body.efiBootloaderPath);
      const disk = targetDiskOf(server, validateDiskGroupId(body.diskGroupId, 'diskGroupId'));

      const release = limiter.acquire(server.accountId);
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error('inspection timeout'));
      }, inspectTimeoutMs);
      // The caller went away: stop reading.
      const onClose = () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('client gone'));
      };
      reply.raw.on('close', onClose);
      const source = createHttpSource({ url, headers, connectTimeoutMs: 10_000, headersTimeoutMs: 20_000, stallTimeoutMs: 20_000, retry: { maxAttempts: 2, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 } });
      try {
        const signal = controller.signal;
        const facts = await source.probe({ signal });
        let file: ReadAt;
        let readableBytes: number;
        let access: () => InspectResult['access'];
        if (facts.acceptsRanges && facts.size !== null) {
          const cached = cachedReadAt(budgeted(sourceReadAt(source, facts, signal), inspectMaxBytes));
          file = cached;
          readableBytes = facts.size;
          access = () => ({ method: 'http-range', requests: 1 + cached.stats.reads, bytesRead: cached.stats.bytesRead });
        } else {
          // No Range support: the preflight's view, the first 8 MiB read once (the connection is then dropped).
          const view = await imageReadAt(source, facts, signal, disk.sizeBytes);
          file = view.file;
          readableBytes = view.readableBytes;
          access = () => ({ method: 'http-full', requests: 2, bytesRead: view.readableBytes });
        }
        const expectations: InspectExpectations = {
          disk: { name: `disk group ${disk.diskGroupId}`, ...(facts.size === null ? {} : { size: disk.sizeBytes }) },
          bootMode: server.bootMode,
          efiBootloaderPath: efiPath,
        };
        if (imageType !== null) expectations.imageType = imageType;
        const inspection = await inspectImage(file, expectations, { readableBytes, signal });
        return toInspectResult(inspection, source.displayName, access());
      } catch (error) {
        if (timedOut || (isByoiError(error) && error.code === 'BYOI_DEPLOY_CANCELLED')) {
          throw new ByoiError('BYOI_DOWNLOAD_FAILED', { reason: `the inspection did not finish within ${inspectTimeoutMs / 1000} seconds` });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        reply.raw.off('close', onClose);
        release();
        await source.close();
      }
    },
  );
};

/** A ReadAt that refuses to fetch more than `limit` bytes in all. */
function budgeted(source: ReadAt, limit: number): ReadAt {
  let fetched = 0;
  return {
    size: source.size,
    async readAt(offset, length) {
      if (fetched + length > limit) {
        throw new ByoiError('BYOI_DOWNLOAD_FAILED', { reason: `the inspection stops after reading ${limit} bytes of the image` });
      }
      fetched += length;
      return source.readAt(offset, length);
    },
  };
}
