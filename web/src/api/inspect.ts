import { api, segment } from './client.ts';
import type { InspectResult } from './types.ts';
import type { ReinstallBody } from '../../../src/contract/request/reinstall-body-schema.ts';

/**
 * Asks the control plane to inspect the image of an install body for this server (POST
 * /1.0/dedicated/server/{serviceName}/byoi/inspect): its format, size, partitions, EFI loaders and the problems
 * it would hit on the chosen disk, from a few HTTP Range reads. The image type is left out on purpose: the
 * inspection says which format the image really is.
 */
export function inspectImage(serviceName: string, body: ReinstallBody): Promise<InspectResult> {
  const { customizations } = body;
  return api<InspectResult>('POST', `/dedicated/server/${segment(serviceName)}/byoi/inspect`, {
    imageURL: customizations.imageURL,
    ...(customizations.httpHeaders === undefined || customizations.httpHeaders === null ? {} : { httpHeaders: customizations.httpHeaders }),
    ...(typeof customizations.efiBootloaderPath === 'string' ? { efiBootloaderPath: customizations.efiBootloaderPath } : {}),
    ...(body.storage?.[0]?.diskGroupId === undefined || body.storage[0].diskGroupId === null ? {} : { diskGroupId: body.storage[0].diskGroupId }),
  });
}
