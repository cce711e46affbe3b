import type { ByoiError } from '../errors/byoi-error.ts';

/**
 * One problem of an install request, attached to the body field it is about, as a dotted path in the body
 * the client sent: `operatingSystem`, `customizations.imageURL`, `customizations.httpHeaders.Host`,
 * `storage[0].diskGroupId`, `userMetadata.httpHeaders0Key`, `details.customHostname`. The empty string means
 * the body as a whole.
 */
export interface FieldError {
  field: string;
  error: ByoiError;
}
