import type { HttpHeader } from '../contract/request/install-request.ts';
import { validateHttpHeaders } from '../contract/request/validate-http-headers.ts';

/**
 * Collects repeated `--header "Name: value"` options as given, for commander (`.option(..., collectOption, [])`).
 * Nothing is checked here: commander would print a refused value in its message, and header values are secrets.
 */
export function collectOption(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Parses `--header` options ("Name: value", as curl's -H takes them) into headers, checked with the install
 * request's own rules (validateHttpHeaders(): token names, no CR/LF, no header byoi sets itself, no duplicates).
 * Whitespace around the name and the value is dropped (RFC 9110 §5.6.3, optional whitespace).
 *
 * Messages name the header, never its value.
 *
 * @throws TypeError when an option has no colon or no name; ByoiError BYOI_REQUEST_INVALID_FORMAT from the contract
 *
 * @example
 * ```ts
 * parseHeaderOptions(['Authorization: Bearer abc', 'X-Trace:1']);
 * // [{ name: 'Authorization', value: 'Bearer abc' }, { name: 'X-Trace', value: '1' }]
 * ```
 */
export function parseHeaderOptions(options: readonly string[]): HttpHeader[] {
  const headers: HttpHeader[] = [];
  for (const [index, option] of options.entries()) {
    const colon = option.indexOf(':');
    const name = colon < 0 ? '' : option.slice(0, colon).trim();
    if (colon < 0 || name === '') {
      throw new TypeError(`Cannot use header option ${index + 1}: expected "Name: value"`);
    }
    headers.push({ name, value: option.slice(colon + 1).trim() });
  }
  return validateHttpHeaders(headers);
}
